"""One room's page: its live feed, scroll-back, sending, editing and deleting, read markers, and the
room itself: members, invitations, leaving, the owner's settings, direct messages from a name."""

import dataclasses
import uuid
from typing import Any, Literal

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import files as file_actions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.actions import perform, performing
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.domain import (
    access,
    accounts,
    attachments,
    commands,
    members,
    messages,
    pins,
    reactions,
    reads,
    room_prefs,
    rooms,
)
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.domain.members import MemberView
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.pins import PinView
from djangochat_rx.http import files
from djangochat_rx.infra import throttle
from djangochat_rx.notify import hooks, push
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, field
from djangochat_rx.state.search import search_path

COMPOSER_ID = "message"

# A message's thread and quote fields while they are empty: left out of what goes to the browser, where a
# missing field reads as empty (components/message.py tests them as `> 0`), so a plain message costs its
# room's sockets no more than before threads (the relay between workers, events.to_wire, keeps them all).
_EMPTY_ON_THE_WIRE = {
    "thread_id": 0,
    "reply_count": 0,
    "last_reply_at": "",
    "repliers": (),
    "quote_id": 0,
    "quote_author": "",
    "quote_text": "",
}
_MESSAGE_FIELDS = tuple(field.name for field in dataclasses.fields(MessageView))


@rx.serializer
def message_on_the_wire(message: MessageView) -> dict:
    """A message as the browser gets it: every field but the empty thread and quote ones."""
    return {
        name: value
        for name in _MESSAGE_FIELDS
        if (value := getattr(message, name)) != _EMPTY_ON_THE_WIRE.get(name, _KEPT)
    }


_KEPT = object()


def _room_details(
    db, user_id: int, room_id: int, kind: str
) -> tuple[bool, list[MemberView], list[PinView], room_prefs.Prefs, list[str]]:
    """What the room page shows besides its messages, in one trip to the database's threads: whether the
    user owns the room, its members (private rooms and conversations), its pins, how the user hears of it,
    and which authors are bots."""
    people = [] if kind == access.PUBLIC else members.members(db, user_id, room_id)
    heard = room_prefs.prefs(db, user_id, room_id, kind)
    owner = access.is_owner(db, user_id, room_id)
    return owner, people, pins.pinned(db, room_id), heard, accounts.bot_names(db)


class RoomState(AuthState):
    status: Literal["loading", "ready", "missing"] = "loading"
    room_name: str = ""
    room_description: str = ""
    room_kind: str = access.PUBLIC
    archived: bool = False
    is_owner: bool = False
    # Members of a private room or direct conversation (a public room is everyone's).
    members: list[MemberView] = []
    # The open side panel ("members" or "settings") and what happened there.
    panel: str = ""
    panel_error: str = ""
    panel_notice: str = ""
    # Written only by realtime/ (feed.py, presence.py), straight to the browser: the room whose feed
    # this tab gets, its newest messages when the tab opened it, then each new, edited or deleted
    # message; who is typing, who is here. The browser merges them (components/room_feed.py).
    feed_room: int = 0
    snapshot: list[MessageView] = []
    incoming: list[MessageView] = []
    typing: list[str] = []
    present: list[str] = []
    # The latest batch of messages this tab read from the database (scrolling back, filling a gap,
    # around a search result), oldest first; the browser merges it into what it shows.
    history: list[MessageView] = []
    # The room's pinned messages, newest first: read when the page opens, then written by realtime/
    # whenever they change (every PinsChanged carries the whole, bounded, list).
    pins: list[PinView] = []
    # Where the "New messages" divider goes: the first message unread when the page opened (0: none).
    first_unread_seq: int = 0
    # Who `@` offers: loaded the first time the user types "@" in this tab.
    mention_names: list[str] = []
    # What `/` at the start of the box offers, "name\tusage\thelp" each: loaded the first time it is typed.
    command_list: list[str] = []
    # Bot accounts (webhooks' posters): their messages are marked "bot".
    bots: list[str] = []
    # How this user hears of the room (room_prefs.py): "all", "mentions" or "nothing", and mute.
    notify_level: str = "mentions"
    muted: bool = False
    # The message whose reaction picker is open (0: none), and the user's most used emoji it offers first.
    reacting_id: int = 0
    favourites: list[str] = []
    editing_id: int = 0
    edit_text: str = ""
    deleting_id: int = 0
    error: str = ""
    # The random id the next message is sent under (kept in the tab's sessionStorage, so it survives
    # a reconnect or a backend restart): pressing Send again after a failure cannot post twice.
    draft_id: str = rx.SessionStorage("", name="djangochat_draft_id")
    # Files (attachments.py, files.py; the tickets are AuthState's): this room's upload route, and what was
    # uploaded and goes with the next message.
    upload_url: str = ""
    pending_files: list[FileView] = []
    # The Files panel: the room's newest files, read when it opens, then those of each message posted
    # (`files_posted`) and the ids of messages deleted, whose files go (`files_removed`), both written only
    # by realtime/, to the room; the browser merges them (components/files.py, assets/room_files.js).
    # `files_kind` filters them: "" (all), "image" or "file".
    room_files: list[attachments.RoomFile] = []
    files_posted: list[attachments.RoomFile] = []
    files_removed: list[int] = []
    files_kind: str = ""
    _room_id: int = 0

    @rx.event
    async def load(self):
        """Guard the page, find the room by its slug, mark it read, and join its live feed."""
        identity = await self._enter_page()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        self.error, self.history, self.editing_id, self.deleting_id = "", [], 0, 0
        self.draft_id = self.draft_id or uuid.uuid4().hex
        try:
            room = await db.run(rooms.open_room, identity.user_id, self.slug)
        except rooms.RoomNotFound:
            self.status, self._room_id = "missing", 0
            return
        # The page shows the room once it is all there (its feed joined, its read marker moved); moving from
        # one room to another, the page stays up meanwhile.
        self._room_id = room.id
        self.panel, self.panel_error, self.panel_notice = "", "", ""
        # What was uploaded here and not sent yet goes with the next message still (a reload loses nothing).
        self.pending_files = await db.run(attachments.pending, identity.user_id, room.id)
        await self._show_room(identity, room)
        self.upload_url = f"{self.files_base}{files.UPLOAD_PATH}?room={room.id}"
        yield  # the view ticket's cookie (set by _enter_page) is in place before the snapshot's images load
        read = await db.run(reads.read_seq, identity.user_id, room.id)
        self.first_unread_seq = read + 1 if room.message_count > read else 0
        sid = self.router.session.session_id
        await hub.unwatch_thread(sid)  # another room's (or a closed) thread's panel goes
        await hub.join(sid, room.id, identity.username)
        await self._open_at_message(room.id)
        await perform(session_actions.mark_read, identity.user_id, identity.username, room.id, room.message_count)
        self.status = "ready"

    async def _show_room(self, identity, room: rooms.RoomView) -> None:
        self.room_name, self.room_description = room.name, room.description
        self.room_kind, self.archived = room.kind, room.archived
        details = await db.run(_room_details, identity.user_id, room.id, room.kind)
        self.is_owner, self.members, self.pins, heard, self.bots = details
        self.notify_level, self.muted = heard.level, heard.muted

    async def _open_at_message(self, room_id: int) -> None:
        """With `?message=<id>` (a search result), put that message and the ones around it above the live
        window when it is older than the window; the page scrolls to it."""
        target = self.router.url.query_parameters.get("message", "")
        live_from = hub.feed.window_start(room_id)
        if not target.isdigit() or live_from is None or int(target) >= live_from:
            return
        around = await db.run(messages.around, room_id, int(target), settings.ROOM_WINDOW // 2)
        self.history = [view for view in around if view.id < live_from]

    @rx.event
    async def refresh(self):
        """The room changed (renamed, archived, deleted, members; its RoomChanged event asks): read it again. Someone
        who can no longer read it sees it vanish, like any room they cannot see."""
        identity = await self._identity()
        if identity is None or not self._room_id:
            return
        try:
            room = await db.run(rooms.open_room, identity.user_id, self.slug)
        except rooms.RoomNotFound:
            room = None
        if room is None or room.id != self._room_id:
            self.status, self._room_id, self.history = "missing", 0, []
            await hub.attach(self.router.session.session_id, identity.session_id, identity.username)
            return
        await self._show_room(identity, room)

    @rx.event
    async def load_mention_names(self):
        """The usernames `@` offers (the page asks when the user first types "@"), after `room` (everyone in
        the room) and `here` (everyone in it now)."""
        if not self.mention_names and await self._identity() is not None:
            self.mention_names = ["room", "here", *await db.run(accounts.active_usernames)]

    @rx.event
    async def load_commands(self):
        """The slash commands `/` offers (commands.py: the built-ins and the hooks'), for the page's picker."""
        if await self._identity() is not None:
            self.command_list = [f"{command.name}\t{command.usage}\t{command.help}" for command in commands.listed()]

    @rx.event
    async def mark_read(self, seq: int):
        """The user has seen the room up to message `seq` (the page says so while it is visible)."""
        identity = await self._identity()
        if identity is not None and self._room_id and isinstance(seq, int):
            await perform(session_actions.mark_read, identity.user_id, identity.username, self._room_id, seq)

    async def _may_read(self) -> bool:
        """The session's user may (still) read this tab's room: membership may have ended meanwhile."""
        identity = await self._identity()
        return (
            identity is not None
            and bool(self._room_id)
            and await db.run(access.can_read_id, identity.user_id, self._room_id)
        )

    @rx.event
    async def load_older(self, before_id: int):
        """The messages just before message `before_id` (the first shown: the reader scrolled to the top)."""
        if isinstance(before_id, int) and await self._may_read():
            self.history = await db.run(messages.older_messages, self._room_id, before_id, settings.ROOM_WINDOW)

    @rx.event
    async def fill_gap(self, after_id: int, before_id: int):
        """The messages between `after_id` and `before_id` that the tab is missing (after scrolling back to a
        search result, or frames missed while offline), the ones right after `after_id` first."""
        if isinstance(after_id, int) and isinstance(before_id, int) and await self._may_read():
            self.history = await db.run(
                messages.messages_between, self._room_id, after_id, before_id, settings.ROOM_WINDOW
            )

    @rx.event
    async def typing_now(self, _text: str = ""):
        """The message box changed: tell the room (the page sends this at most every few seconds)."""
        identity = await self._identity()
        if identity is not None and self._room_id:
            await perform(session_actions.typing, identity.user_id, identity.username, self._room_id)

    @rx.event
    async def send(self, form: dict[str, Any]):
        """Post the message as the session's user (everyone in the room sees it through the feed), or carry out
        the slash command it is (commands.py); a refused command leaves its text in the box."""
        identity = await self._identity()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        if not self._room_id:
            self.error = "This room is not open."
            return
        try:
            await throttle.before_send(identity.user_id)
            match commands.parse(field(form, "message")):
                case commands.Post(text=text):
                    present = tuple(hub.presence.present(self._room_id)) if "@here" in text.lower() else ()
                    async with performing(
                        message_actions.send_message,
                        identity.user_id,
                        self._room_id,
                        text,
                        field(form, "client_id"),
                        present,
                        tuple(file.id for file in self.pending_files),
                    ):
                        # The box empties and the next message's client id arrives before the message itself.
                        self.pending_files = []
                        await hub.composer_sent(self.router.session.session_id, self._next_draft())
                case commands.SetTopic(topic=topic):
                    await perform(room_actions.set_topic, identity.user_id, self._room_id, topic)
                    yield self._sent()
                case commands.Invoke(name=name, args=args):
                    await hooks.invoke(name, identity.username, self._room_id, self.slug, args)
                    yield self._sent()
        except rooms.NotOwner:
            self.error = "Only the room's owner can change its topic."
        except (messages.InvalidMessage, rooms.RoomError, throttle.Throttled, commands.CommandError) as error:
            self.error = str(error)

    def _next_draft(self) -> str:
        """What was typed went through: no error, and a new client id for the next message (returned)."""
        self.error = ""
        self.draft_id = uuid.uuid4().hex
        return self.draft_id

    def _sent(self):
        """_next_draft, and an empty box."""
        self._next_draft()
        return rx.set_value(COMPOSER_ID, "")

    @rx.event
    async def file_uploaded(self, file_id: int):
        """The browser uploaded a file (components/files.py FileDrop): it goes with the next message, if it is
        the user's own upload to this room, not posted yet."""
        identity = await self._identity()
        if identity is None or not self._room_id or not isinstance(file_id, int):
            return
        wanted = [file.id for file in self.pending_files] + [file_id]
        found = await db.run(attachments.pending, identity.user_id, self._room_id, wanted)
        if len(found) > settings.FILES_PER_MESSAGE:
            await perform(file_actions.take_back_upload, identity.user_id, file_id)
            self.error = f"A message takes at most {settings.FILES_PER_MESSAGE} files."
            return
        self.pending_files, self.error = found, ""

    @rx.event
    async def remove_file(self, file_id: int):
        """Take an uploaded file off the next message (its bytes are deleted at once)."""
        identity = await self._identity()
        if identity is None or not isinstance(file_id, int):
            return
        await perform(file_actions.take_back_upload, identity.user_id, file_id)
        self.pending_files = [file for file in self.pending_files if file.id != file_id]

    @rx.event
    def file_refused(self, reason: str):
        """The browser refused a file before uploading it, or the server refused the upload: say why."""
        self.error = reason[:300] if isinstance(reason, str) else ""

    @rx.event
    async def start_edit(self, message_id: int):
        """Open message `message_id` for editing (only its author, within the edit window)."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int):
            return
        try:
            self.edit_text = await db.run(messages.message_source, message_id, identity.user_id, self._room_id)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.editing_id = "", message_id

    @rx.event
    def cancel_edit(self):
        self.editing_id, self.edit_text = 0, ""

    @rx.event
    async def save_edit(self, form: dict[str, Any]):
        """Save the edited text; everyone sees "(edited)" through the feed."""
        await self._change(message_actions.edit_message, self.editing_id, field(form, "text"))

    @rx.event
    def ask_delete(self, message_id: int):
        self.deleting_id = message_id if isinstance(message_id, int) else 0

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        """Delete the message asked about; others see "message deleted" through the feed."""
        await self._change(message_actions.delete_message, self.deleting_id)

    @rx.event
    async def pin(self, message_id: int):
        """Pin a message of this room (any member); everyone's Pinned panel shows it."""
        await self._pin(message_actions.pin_message, message_id)

    @rx.event
    async def unpin(self, message_id: int):
        await self._pin(message_actions.unpin_message, message_id)

    @rx.event
    async def set_level(self, level: str):
        """Hear of every message, mentions only, or nothing of this room."""
        await self._set_prefs(level, self.muted)

    @rx.event
    async def toggle_mute(self):
        """Mute the room (last in the rooms list, a dot instead of a count, no notifications) or unmute it."""
        await self._set_prefs(self.notify_level, not self.muted)

    async def _set_prefs(self, level: str, muted: bool) -> None:
        identity = await self._identity()
        if identity is None or not self._room_id or not isinstance(level, str):
            return
        try:
            heard = await perform(notice_actions.set_room_prefs, identity.user_id, self._room_id, level, muted)
        except (room_prefs.InvalidLevel, rooms.RoomNotFound) as error:
            self.error = str(error)
            return
        self.notify_level, self.muted, self.error = heard.level, heard.muted, ""
        await push.refresh_loud_rooms()

    @rx.event
    async def reactions_opened(self, message_id: int, is_open: bool):
        """The reaction picker of a message opened (read the user's most used emoji) or closed."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int) or not is_open:
            self.reacting_id = 0
            return
        self.reacting_id = message_id
        self.favourites = await db.run(reactions.favourites, identity.user_id)

    @rx.event
    async def react(self, message_id: int, emoji: str):
        """React to a message of this room with an emoji, or take that reaction back; the whole room sees it.
        Reactions share the sending budget (throttle.SEND_LIMITS)."""
        identity = await self._identity()
        self.reacting_id = 0
        if identity is None or not self._room_id or not isinstance(message_id, int) or not isinstance(emoji, str):
            return
        try:
            await throttle.before_send(identity.user_id)
            await perform(message_actions.react, identity.user_id, message_id, emoji, self._room_id)
        except (reactions.ReactionError, messages.InvalidMessage, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error = ""

    async def _pin(self, action, message_id: int) -> None:
        identity = await self._identity()
        if identity is None or not self._room_id or not isinstance(message_id, int):
            return
        try:
            await perform(action, identity.user_id, message_id)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error = ""

    async def _change(self, action, message_id: int, *args: str) -> None:
        """Edit or delete as the session's user (the domain checks author and time limit)."""
        identity = await self._identity()
        self.editing_id, self.deleting_id = 0, 0
        if identity is None or not message_id:
            return
        try:
            await perform(action, identity.user_id, self._room_id, message_id, *args)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.edit_text = "", ""

    # --- the room: panel, members, owner's settings, direct messages --------------------------------

    @rx.event
    async def toggle_panel(self, name: str):
        """Open the members, settings, search, pins or files panel (or close it when it is open)."""
        panels = ("members", "settings", "search", "pins", "files")
        self.panel = "" if self.panel == name or name not in panels else name
        self.panel_error, self.panel_notice = "", ""
        if self.panel == "files":
            identity = await self._identity()
            if identity is not None and self._room_id:
                try:
                    self.room_files = await db.run(attachments.room_files, identity.user_id, self._room_id)
                except rooms.RoomNotFound as missing:
                    self.panel_error = str(missing)

    @rx.event
    def show_files(self, kind: str | list[str]):
        """The Files panel shows every file ("all"), only images ("image"), or only other files ("file")."""
        self.files_kind = kind if isinstance(kind, str) and kind in (attachments.IMAGE, attachments.FILE) else ""

    @rx.event
    def search_room(self, form: dict[str, Any]):
        """Search this room's messages (the search page, with `in:` this room)."""
        words = field(form, "q").strip()
        if words:
            return rx.redirect(search_path(f"in:{self.slug} {words}"))

    @rx.event
    async def invite(self, form: dict[str, Any]):
        """Add a user to this private room by username."""
        invited = await self._room_action(room_actions.invite, field(form, "username"))
        if invited is not None:
            self.panel_notice = f"{invited} can now see this room."
            yield rx.set_value("invite-username", "")

    @rx.event
    async def remove_member(self, username: str):
        """The owner takes `username` out of the room; their open pages lose it at once."""
        if isinstance(username, str) and await self._room_action(room_actions.remove_member, username) is not None:
            self.panel_notice = f"{username} was removed from this room."

    @rx.event
    async def leave(self):
        """Leave this private room or conversation."""
        if await self._room_action(room_actions.leave):
            return rx.redirect(routes.ROOMS)

    @rx.event
    async def save_room(self, form: dict[str, Any]):
        """The owner renames or describes the room (its address stays)."""
        if await self._room_action(room_actions.update_room, field(form, "name"), field(form, "description")):
            self.panel_notice = "Saved."

    @rx.event
    async def set_archived(self, archived: bool):
        """The owner archives the room (read-only for everyone) or opens it again."""
        if isinstance(archived, bool):
            await self._room_action(room_actions.archive_room, archived)

    @rx.event
    async def delete_room(self):
        """The owner deletes the room and everything in it; every open page loses it."""
        if await self._room_action(room_actions.delete_room):
            return rx.redirect(routes.ROOMS)

    @rx.event
    async def message_user(self, username: str):
        """Open (or create) the direct conversation with `username`."""
        identity = await self._identity()
        if identity is None or not isinstance(username, str):
            return
        try:
            return await self._open_direct(identity, [username])
        except rooms.RoomError as error:
            self.panel_error = str(error)

    async def _room_action(self, action, *args: Any) -> Any:
        """Run a room action as the session's user (the domain checks membership and ownership): True, or
        its value when it has one; None with the reason on the panel."""
        identity = await self._identity()
        self.panel_error, self.panel_notice = "", ""
        if identity is None or not self._room_id:
            return None
        try:
            result = await perform(action, identity.user_id, self._room_id, *args)
        except rooms.RoomError as error:
            self.panel_error = str(error)
            return None
        return True if result is None else result
