"""The rooms list page: every room with its latest activity, unread counts, who is online; creating one."""

from typing import Any

import reflex as rx

from djangochat_rx import access, db, reads, room_prefs, rooms, routes, settings, throttle
from djangochat_rx.actions import perform
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.reads import RoomSummary
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, checked, field


class RoomsState(AuthState):
    # Written only by realtime/rooms_list.py: every room, most recently active first (room-wide), how far
    # this user has read rooms since the page opened, and the rooms where they have unread mentions.
    lobby: list[RoomSummary] = []
    # Written only by realtime/rooms_list.py: how many public rooms there are (the lobby holds the first page).
    lobby_total: int = 0
    # Public rooms past the live first page, read page by page ("Show more rooms"): not live.
    older: list[RoomSummary] = []
    read_marks: dict[str, int] = {}
    mentioned: list[str] = []
    # Rooms this user muted (room_prefs.py): listed last, with a dot instead of a count.
    muted: list[str] = []
    # How far this user had read each room (by slug) when the page opened.
    reads: dict[str, int] = {}
    # Written only by realtime/rooms_list.py: this user's private rooms and direct conversations, live.
    own_rooms: list[RoomSummary] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Guard the page, read this user's markers, and follow the rooms list live."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.older = "", []
        summaries = await db.run(reads.room_summaries, identity.user_id)
        self.reads = {summary.slug: summary.read_seq for summary in summaries}
        self.mentioned = [summary.slug for summary in summaries if summary.mentioned]
        self.muted = await db.run(room_prefs.muted_slugs, identity.user_id)
        self.read_marks = {}
        own = [summary for summary in summaries if summary.kind != access.PUBLIC]
        await hub.watch_lobby(self.router.session.session_id, identity.username, own)

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
        self.reads = {**self.reads, **{room.slug: room.read_seq for room in page}}

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
        self.error = ""
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
        self.error = ""
        return go
