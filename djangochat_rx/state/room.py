"""One room's page: the room itself, its live feed, scroll-back and read markers; the page's other parts are
the mixins RoomState is made of (see its docstring)."""

import uuid
from typing import Literal

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import perform
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.domain import (
    access,
    accounts,
    attachments,
    members,
    messages,
    pins,
    polls,
    read_receipts,
    reads,
    retention,
    room_prefs,
    rooms,
    saved,
)
from djangochat_rx.domain.availability import zone
from djangochat_rx.domain.members import MemberView
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.pins import PinView
from djangochat_rx.domain.read_receipts import SeenLine
from djangochat_rx.http import files
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room_composer import Composer
from djangochat_rx.state.room_hearing import Hearing
from djangochat_rx.state.room_later import Later
from djangochat_rx.state.room_messages import MessageTools
from djangochat_rx.state.room_owner import OwnerSettings


def _room_details(
    db, user_id: int, room_id: int, kind: str
) -> tuple[bool, list[MemberView], list[PinView], room_prefs.Prefs, list[str], int, list[int], list[str], SeenLine]:
    """What the room page shows besides its messages, in one trip to the database's threads: whether the
    user owns the room, its members (private rooms and conversations; a public room's guests), its pins, how
    the user hears of it, which authors are bots, the retention days in force (0: kept forever), which of its
    messages the user saved, their answers in its polls and who has seen their messages (read receipts)."""
    people = members.members(db, user_id, room_id, guests_only=kind == access.PUBLIC)
    heard = room_prefs.prefs(db, user_id, room_id, kind)
    owner = access.is_owner(db, user_id, room_id)
    kept = saved.saved_in_room(db, user_id, room_id)
    days, choices = retention.room_days(db, room_id), polls.choices(db, user_id, room_id)
    seen = read_receipts.line_for(db, user_id, room_id)
    return owner, people, pins.pinned(db, room_id), heard, accounts.bot_names(db), days, kept, choices, seen


def _opening(db, user_id: int, slug: str):
    """Everything a room page needs before its messages, in one trip to the database's threads: the room
    (RoomNotFound when the user may not read it), the files uploaded here and not sent yet, _room_details, and
    how far the user has read."""
    room = rooms.open_room(db, user_id, slug)
    pending = attachments.pending(db, user_id, room.id)
    return room, pending, _room_details(db, user_id, room.id, room.kind), reads.read_seq(db, user_id, room.id)


class RoomState(Composer, MessageTools, Later, Hearing, OwnerSettings, AuthState):
    """One room's page. Its parts by concern are Reflex state mixins, each in its own module: the message box
    (room_composer.py), the tools on a message (room_messages.py), how the user hears of the room
    (room_hearing.py), the side panels and the owner's settings (room_panels.py, room_owner.py); here the
    room itself and its live feed. Every part shares room_tab.InRoom: the open room and the identity check."""

    status: Literal["loading", "ready", "missing"] = "loading"
    room_name: str = ""
    room_description: str = ""
    room_kind: str = access.PUBLIC
    archived: bool = False
    is_owner: bool = False
    # Members of a private room or direct conversation (a public room is everyone's).
    members: list[MemberView] = []
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
    # Which of the room's messages (and its threads' replies) the user saved: read when the page opens, then
    # written by realtime/ on the user's SavedChanged.
    saved_ids: list[int] = []
    # Read receipts (read_receipts.py): "Seen by" `seen_by` under the user's own message `seen_seq` (0: no line);
    # read when the page opens, then written by realtime/ on a reader's ReceiptsMoved.
    seen_seq: int = 0
    seen_by: list[str] = []
    # Where the "New messages" divider goes: the first message unread when the page opened (0: none).
    first_unread_seq: int = 0
    # Bot accounts (webhooks' posters): their messages are marked "bot".
    bots: list[str] = []
    # The room's guests (access.py): their messages are marked "guest".
    guests: list[str] = []
    # Messages older than this many days are deleted (retention.py; 0: kept forever), and up to which message
    # they are gone: the page offers no earlier ones.
    retention_days: int = 0
    purged_seq: int = 0
    # "<socket id> <slug>": the room a click on its link loaded on that socket (open_room), for the page's load.
    _opened: str = ""

    @rx.event
    async def open_room(self, slug: str, click: dict):
        """A link to room `slug` was clicked (a plain click: the page goes there): load the room now, while the
        browser draws its page, whose own load (below) then finds it loaded on this socket."""
        plain = isinstance(click, dict) and click.get("button") == 0
        modified = plain and any(click.get(key) for key in ("ctrl_key", "meta_key", "shift_key", "alt_key"))
        if not plain or modified or not isinstance(slug, str) or not 0 < len(slug) <= settings.ROOM_SLUG_MAX_CHARS:
            return
        if slug == self.slug and self._showing():
            return  # the room this page shows already
        async for update in self._open(slug, guard=False):
            yield update
        self._opened = f"{self.router.session.session_id} {slug}" if self.status == "ready" else ""

    @rx.event
    async def load(self):
        """The page's load: guard it, find the room by its slug, mark it read, and join its live feed; nothing
        when a click on its link has just done that for this socket (open_room)."""
        opened, self._opened = self._opened, ""
        clicked = opened == f"{self.router.session.session_id} {self.slug}"
        if clicked and self._showing() and not self.router.url.query_parameters.get("message"):
            return
        async for update in self._open(self.slug, guard=True):
            yield update

    def _showing(self) -> bool:
        """This socket watches the tab's room (it joined its feed and has not left the page since)."""
        return bool(self._room_id) and hub.watching(self.router.session.session_id) == self._room_id

    async def _open(self, slug: str, guard: bool):
        """Open room `slug` on this tab (`guard`: send a logged-out page to the login page)."""
        identity = await self._enter_page()
        if identity is None:
            if guard:
                yield rx.redirect(routes.LOGIN, replace=True)
            return
        self.error, self.history, self.editing_id, self.deleting_id = "", [], 0, 0
        self.later_said, self.zone_name = "", str(zone(identity.time_zone))
        self._forget_selection()  # messages chosen to forward belong to the room they were chosen in
        self.draft_id = self.draft_id or uuid.uuid4().hex
        try:
            room, pending, details, read = await db.run(_opening, identity.user_id, slug)
        except rooms.RoomNotFound:
            self.status, self._room_id = "missing", 0
            return
        # The page shows the room once it is all there (its feed joined, its read marker moved); moving from
        # one room to another, the page stays up meanwhile.
        self._room_id = room.id
        self.panel, self.panel_error, self.panel_notice = "", "", ""
        # What was uploaded here and not sent yet goes with the next message still (a reload loses nothing).
        self.pending_files = pending
        self._show_details(room, details)
        self.upload_url = f"{self.files_base}{files.UPLOAD_PATH}?room={room.id}"
        yield  # the view ticket's cookie (set by _enter_page) is in place before the snapshot's images load
        self.first_unread_seq = read + 1 if room.message_count > read else 0
        sid = self.router.session.session_id
        await hub.unwatch_thread(sid)  # another room's (or a closed) thread's panel goes
        await hub.join(sid, room.id, identity.username)
        await self._open_at_message(room.id)
        await perform(session_actions.mark_read, identity.user_id, identity.username, room.id, room.message_count)
        self.status = "ready"

    async def _show_room(self, identity, room: rooms.RoomView) -> None:
        self._show_details(room, await db.run(_room_details, identity.user_id, room.id, room.kind))

    def _show_details(self, room: rooms.RoomView, details) -> None:
        self.quiet_people = []  # asked again at the first keystroke in this room (load_quiet_people)
        self.room_name, self.room_description = room.name, room.description
        self.room_kind, self.archived, self.purged_seq = room.kind, room.archived, room.purged_seq
        (
            self.is_owner,
            self.members,
            self.pins,
            heard,
            self.bots,
            self.retention_days,
            self.saved_ids,
            self.poll_choices,
            seen,
        ) = details
        self.seen_seq, self.seen_by = seen.seq, list(seen.by)
        self.guests = [member.username for member in self.members if member.guest]
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
    async def mark_read(self, seq: int):
        """The user has seen the room up to message `seq` (the page says so while it is visible)."""
        identity = await self._in_room()
        if identity is not None and isinstance(seq, int):
            await perform(session_actions.mark_read, identity.user_id, identity.username, self._room_id, seq)

    async def _may_read(self) -> bool:
        """The session's user may (still) read this tab's room: membership may have ended meanwhile."""
        identity = await self._in_room()
        return identity is not None and await db.run(access.can_read_id, identity.user_id, self._room_id)

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
        identity = await self._in_room()
        if identity is not None:
            await perform(session_actions.typing, identity.user_id, identity.username, self._room_id)
