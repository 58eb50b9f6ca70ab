"""One room's page: its live feed, scroll-back, sending, editing and deleting, read markers."""

import uuid
from functools import partial
from typing import Any, Literal, TypedDict

import reflex as rx

from djangochat_rx import access, accounts, db, messages, reads, rooms, routes, settings, throttle
from djangochat_rx.realtime import hub, window_item
from djangochat_rx.state.auth import AuthState, field

COMPOSER_ID = "message"


class MessageItem(TypedDict):
    """A message as realtime.window_item sends it."""

    id: int
    seq: int
    author: str
    html: str
    created_at: str
    edited: bool
    deleted: bool
    removed: bool
    mentions: list[str]


class RoomState(AuthState):
    status: Literal["loading", "ready", "missing"] = "loading"
    room_name: str = ""
    room_description: str = ""
    # Written only by realtime.RoomHub, straight to the browser: the room's newest messages, its
    # recent edits (by message id, for messages scrolled back to), who is typing, who is here.
    messages: list[MessageItem] = []
    edits: dict[str, MessageItem] = {}
    typing: list[str] = []
    present: list[str] = []
    # This tab's scroll-back above the live window, oldest first, at most ROOM_HISTORY_MAX messages.
    older: list[MessageItem] = []
    # Where the "New messages" divider goes: the first message unread when the page opened (0: none).
    first_unread_seq: int = 0
    # Who `@` offers: loaded the first time the user types "@" in this tab.
    mention_names: list[str] = []
    editing_id: int = 0
    edit_text: str = ""
    deleting_id: int = 0
    error: str = ""
    # The random id the next message is sent under (kept in the tab's sessionStorage, so it survives
    # a reconnect or a backend restart): pressing Send again after a failure cannot post twice.
    draft_id: str = rx.SessionStorage("", name="djangochat_draft_id")
    _room_id: int = 0

    @rx.event
    async def load(self):
        """Guard the page, find the room by its slug, mark it read, and join its live feed."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.older, self.editing_id, self.deleting_id = "", [], 0, 0
        self.draft_id = self.draft_id or uuid.uuid4().hex
        try:
            room = await db.run(rooms.open_room, identity.user_id, self.slug)
        except rooms.RoomNotFound:
            self.status, self._room_id = "missing", 0
            return
        self.status, self._room_id = "ready", room.id
        self.room_name, self.room_description = room.name, room.description
        read = await db.run(reads.read_seq, identity.user_id, room.id)
        self.first_unread_seq = read + 1 if room.message_count > read else 0
        await hub.join(self.router.session.session_id, room.id, identity.username)
        await self._mark_read(identity, room.message_count)

    @rx.event
    async def load_mention_names(self):
        """The usernames `@` offers (the page asks when the user first types "@")."""
        if not self.mention_names and await self._identity() is not None:
            self.mention_names = await db.run(accounts.active_usernames)

    @rx.event
    async def mark_read(self, seq: int):
        """The user has seen the room up to message `seq` (the page says so while it is visible)."""
        identity = await self._identity()
        if identity is not None and self._room_id and isinstance(seq, int):
            await self._mark_read(identity, seq)

    async def _mark_read(self, identity, seq: int) -> None:
        stored = await db.run(reads.mark_read, identity.user_id, self._room_id, seq)
        mentioned = await db.run(reads.unread_mention_rooms, identity.user_id)
        await hub.read(identity.username, self.slug, stored, mentioned)

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
        """Put the messages just before message `before_id` above the ones shown (scrolled to the top)."""
        if not isinstance(before_id, int) or not await self._may_read():
            return
        views = await db.run(messages.older_messages, self._room_id, before_id, settings.ROOM_WINDOW)
        shown = [item for item in self.older if item["id"] >= before_id]
        self.older = ([window_item(view) for view in views] + shown)[: settings.ROOM_HISTORY_MAX]

    @rx.event
    async def fill_gap(self, before_id: int):
        """Load the messages between the scroll-back and message `before_id` (the live window's first)."""
        if not isinstance(before_id, int) or not self.older or not await self._may_read():
            return
        after_id = self.older[-1]["id"]
        views = await db.run(messages.messages_between, self._room_id, after_id, before_id, settings.ROOM_WINDOW)
        self.older = (self.older + [window_item(view) for view in views])[-settings.ROOM_HISTORY_MAX :]

    @rx.event
    async def typing_now(self, _text: str = ""):
        """The message box changed: tell the room (the page sends this at most every few seconds)."""
        identity = await self._identity()
        if identity is not None and self._room_id:
            await hub.typing(self._room_id, identity.username)

    @rx.event
    async def send(self, form: dict[str, Any]):
        """Post the message as the session's user; everyone in the room sees it via the hub."""
        identity = await self._identity()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        if not self._room_id:
            self.error = "This room is not open."
            return
        try:
            await throttle.before_send(identity.user_id)
            message = await db.run(
                messages.post_message, self._room_id, identity.user_id, field(form, "message"), field(form, "client_id")
            )
        except (messages.InvalidMessage, rooms.RoomNotFound, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error = ""
        self.draft_id = uuid.uuid4().hex
        # The new draft id and the cleared box reach the browser before the message comes back
        # through the room feed, so the next message can never go out under this one's id.
        yield rx.set_value(COMPOSER_ID, "")
        await hub.publish(message, self.room_name, self.slug)
        await hub.typing(self._room_id, identity.username, active=False)

    @rx.event
    async def start_edit(self, message_id: int):
        """Open message `message_id` for editing (only its author, within the edit window)."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int):
            return
        try:
            source = partial(messages.message_source, room_id=self._room_id)
            self.edit_text = await db.run(source, message_id, identity.user_id)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.editing_id = "", message_id

    @rx.event
    def cancel_edit(self):
        self.editing_id, self.edit_text = 0, ""

    @rx.event
    async def save_edit(self, form: dict[str, Any]):
        """Save the edited text; everyone sees "(edited)" via the hub."""
        await self._change(messages.edit_message, self.editing_id, field(form, "text"))

    @rx.event
    def ask_delete(self, message_id: int):
        self.deleting_id = message_id if isinstance(message_id, int) else 0

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        """Delete the message asked about; others see "message deleted" via the hub."""
        await self._change(messages.delete_message, self.deleting_id)

    async def _change(self, change, message_id: int, *args: str) -> None:
        """Edit or delete as the session's user (the domain checks author and time limit), then publish."""
        identity = await self._identity()
        self.editing_id, self.deleting_id = 0, 0
        if identity is None or not message_id:
            return
        try:
            view = await db.run(partial(change, room_id=self._room_id), message_id, identity.user_id, *args)
        except messages.InvalidMessage as error:
            self.error = str(error)
            return
        self.error, self.edit_text = "", ""
        self.older = [window_item(view) if item["id"] == view.id else item for item in self.older]
        await hub.publish(view, self.room_name, self.slug)
