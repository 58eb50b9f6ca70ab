"""The rooms list page: every room with its latest activity, unread counts, who is online; creating one."""

from typing import Any, TypedDict

import reflex as rx

from djangochat_rx import access, db, reads, rooms, routes
from djangochat_rx.realtime import hub, lobby_item
from djangochat_rx.state.auth import AuthState, checked, field


class LobbyItem(TypedDict):
    """A room as realtime.lobby_item sends it."""

    id: int
    slug: str
    name: str
    description: str
    message_count: int
    last_message_at: str
    last_author: str
    last_preview: str
    online: int
    kind: str
    archived: bool


class RoomsState(AuthState):
    # Written only by realtime.RoomHub: every room, most recently active first (room-wide), how far
    # this user has read rooms since the page opened, and the rooms where they have unread mentions.
    lobby: list[LobbyItem] = []
    read_marks: dict[str, int] = {}
    mentioned: list[str] = []
    # How far this user had read each room (by slug) when the page opened.
    reads: dict[str, int] = {}
    # Written only by realtime.RoomHub: this user's private rooms and direct conversations, live.
    own_rooms: list[LobbyItem] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Guard the page, read this user's markers, and follow the rooms list live."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error = ""
        summaries = await db.run(reads.room_summaries, identity.user_id)
        self.reads = {summary.slug: summary.read_seq for summary in summaries}
        self.mentioned = [summary.slug for summary in summaries if summary.mentioned]
        self.read_marks = {}
        own = [lobby_item(summary) for summary in summaries if summary.kind != access.PUBLIC]
        await hub.watch_lobby(self.router.session.session_id, identity.user_id, identity.username, own)

    @rx.event
    async def create_room(self, form: dict[str, Any]):
        """Create a room and open it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            room = await db.run(
                rooms.create_room,
                field(form, "name"),
                field(form, "description"),
                identity.user_id,
                checked(form, "private"),
            )
        except rooms.RoomError as error:
            self.error = str(error)
            return
        self.error = ""
        await hub.room_changed(room.id, people=[identity.username])
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
