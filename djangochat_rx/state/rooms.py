"""The rooms list page: every room, and creating one."""

from typing import Any, TypedDict

import reflex as rx

from djangochat_rx import db, rooms, routes
from djangochat_rx.state.auth import AuthState, field


class RoomItem(TypedDict):
    slug: str
    name: str
    description: str
    message_count: int


class RoomsState(AuthState):
    rooms: list[RoomItem] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Guard the page and list the rooms."""
        if await self._enter_page() is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error = ""
        self.rooms = [
            RoomItem(slug=r.slug, name=r.name, description=r.description, message_count=r.message_count)
            for r in await db.run(rooms.list_rooms)
        ]

    @rx.event
    async def create_room(self, form: dict[str, Any]):
        """Create a room and open it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            room = await db.run(rooms.create_room, field(form, "name"), field(form, "description"), identity.user_id)
        except rooms.RoomError as error:
            self.error = str(error)
            return
        self.error = ""
        return rx.redirect(routes.room(room.slug))
