"""What every part of a room's page shares (state/room.py composes them): the room this tab has open, the
last refusal to show, and the one identity check each handler starts with."""

import reflex as rx

from djangochat_rx.domain.sessions import Identity


class InRoom(rx.State, mixin=True):
    """A part of RoomState (a Reflex state mixin): its handlers run on the room page's one state."""

    error: str = ""
    _room_id: int = 0

    async def _in_room(self) -> Identity | None:
        """The session's identity while this tab has a room open; None otherwise (the handler then does nothing)."""
        identity = await self._identity()
        return identity if identity is not None and self._room_id else None
