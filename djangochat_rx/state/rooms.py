"""The rooms list page: every room with its latest activity, unread counts, who is online; creating one."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import perform
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import reads, rooms
from djangochat_rx.domain.reads import RoomSummary
from djangochat_rx.infra import throttle
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, checked, field


class RoomsState(AuthState):
    """The rooms lists: the rooms page, and the sidebar every signed-in page shows (components/sidebar.py)."""

    # Written only by realtime/rooms_list.py, straight to the browser, from a tab's first signed-in page on:
    # the public rooms most recently active first (the first page of them) and how many there are; this
    # user's private rooms and direct conversations; how far they had read each room when the lists were
    # read and how far since; the rooms where they have unread mentions; the rooms they muted (listed last,
    # with a dot instead of a count).
    lobby: list[RoomSummary] = []
    lobby_total: int = 0
    own_rooms: list[RoomSummary] = []
    reads: dict[str, int] = {}
    read_marks: dict[str, int] = {}
    mentioned: list[str] = []
    muted: list[str] = []
    # The user's unread replies in the threads they follow (threads.py), for the sidebar's Threads link.
    threads_unread: int = 0
    # Public rooms past the live first page, read page by page ("Show more rooms"): not live.
    older: list[RoomSummary] = []
    older_reads: dict[str, int] = {}
    error: str = ""
    # The sidebar's dialog open on this page: "room" (a new room), "message" (a new conversation) or none.
    dialog: str = ""

    @rx.event
    def show_dialog(self, which: str):
        self.dialog = which if which in ("room", "message") else ""
        self.error = ""

    @rx.event
    def dialog_shown(self, shown: bool):
        """The dialog was closed (Escape, a click outside, Cancel)."""
        if not shown:
            self.dialog = ""

    @rx.event
    async def load(self):
        """Guard the page and show the rooms lists as they are now (read again), live."""
        identity = await self._enter_page(lists=False)
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.older, self.older_reads = "", [], {}
        await hub.watch_lists(self.router.session.session_id, identity.user_id, identity.username, fresh=True)

    @rx.event
    async def show_more_rooms(self):
        """The next page of public rooms past those shown (by activity, then name)."""
        identity = await self._identity()
        if identity is None:
            return
        offset = settings.ROOMS_LIST_PAGE + len(self.older)
        page = await db.run(reads.public_page, identity.user_id, offset, settings.ROOMS_LIST_PAGE)
        shown = {room.id for room in self.older}
        self.older = [*self.older, *(room for room in page if room.id not in shown)]
        self.older_reads = {**self.older_reads, **{room.slug: room.read_seq for room in page}}

    @rx.event
    async def create_room(self, form: dict[str, Any]):
        """Create a room and open it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            await throttle.before_create(identity.user_id)
            room = await perform(
                room_actions.create_room,
                identity.user_id,
                field(form, "name"),
                field(form, "description"),
                checked(form, "private"),
            )
        except (rooms.RoomError, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.error, self.dialog = "", ""
        return rx.redirect(routes.room(room.slug))

    @rx.event
    async def open_direct(self, form: dict[str, Any]):
        """Open (or create) the direct conversation with the people named (commas or spaces between)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        names = field(form, "people").replace(",", " ").split()
        try:
            go = await self._open_direct(identity, names)
        except rooms.RoomError as error:
            self.error = str(error)
            return
        self.error, self.dialog = "", ""
        return go
