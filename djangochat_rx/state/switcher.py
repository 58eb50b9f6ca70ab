"""The quick switcher on every signed-in page (switcher.py): Ctrl/Cmd+K opens it, typing narrows it, Enter
or a click goes; Alt+Up/Down go to the previous/next room of the user's list."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.domain import rooms, switcher
from djangochat_rx.state.auth import AuthState, field


class SwitcherState(AuthState):
    switcher_open: bool = False
    query: str = ""
    choices: list[switcher.Choice] = []
    switcher_error: str = ""
    _rooms: list[switcher.Choice] = []
    _people: list[switcher.Choice] = []

    @rx.event
    async def open_switcher(self):
        """Read what the user may jump to (once per opening) and show the rooms with unread messages first."""
        identity = await self._identity()
        if identity is None:
            return
        self._rooms, self._people = await db.run(switcher.choices, identity.user_id, identity.username)
        self.query, self.switcher_error, self.switcher_open = "", "", True
        self.choices = switcher.matching(self._rooms, self._people, "")

    @rx.event
    def set_open(self, is_open: bool):
        self.switcher_open = is_open is True

    @rx.event
    def narrow(self, query: str):
        self.query = query if isinstance(query, str) else ""
        self.choices = switcher.matching(self._rooms, self._people, self.query)

    @rx.event
    async def go_first(self, form: dict[str, Any]):
        """Enter in the box: the first match."""
        self.narrow(field(form, "query"))
        if self.choices:
            return await self.go(0)

    @rx.event
    async def go(self, index: int):
        """Jump to match `index`: its room, or the conversation with that person."""
        if not isinstance(index, int) or not 0 <= index < len(self.choices):
            return
        choice = self.choices[index]
        if choice.slug:
            self.switcher_open = False
            return rx.redirect(routes.room(choice.slug))
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            go = await self._open_direct(identity, [choice.username])
        except rooms.RoomError as error:
            self.switcher_error = str(error)
            return
        self.switcher_open = False
        return go

    @rx.event
    async def step(self, direction: int):
        """Alt+Up (-1) / Alt+Down (1): the previous / next room in the user's rooms list."""
        identity = await self._identity()
        if identity is None or direction not in (-1, 1):
            return
        mine = await db.run(switcher.rooms_of, identity.user_id)
        target = switcher.step(mine, self.router.url.path, direction)
        if target is not None:
            return rx.redirect(target)
