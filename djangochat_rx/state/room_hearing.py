"""How this user hears of the room (domain/room_prefs.py): every message, mentions only or nothing, and mute."""

import reflex as rx

from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import room_prefs, rooms
from djangochat_rx.notify import push
from djangochat_rx.state.room_tab import InRoom


class Hearing(InRoom, mixin=True):
    notify_level: str = "mentions"
    muted: bool = False

    @rx.event
    async def set_level(self, level: str):
        """Hear of every message, mentions only, or nothing of this room."""
        await self._set_prefs(level, self.muted)

    @rx.event
    async def toggle_mute(self):
        """Mute the room (last in the rooms list, a dot instead of a count, no notifications) or unmute it."""
        await self._set_prefs(self.notify_level, not self.muted)

    async def _set_prefs(self, level: str, muted: bool) -> None:
        identity = await self._in_room()
        if identity is None or not isinstance(level, str):
            return
        try:
            heard = await perform(notice_actions.set_room_prefs, identity.user_id, self._room_id, level, muted)
        except (room_prefs.InvalidLevel, rooms.RoomNotFound) as error:
            self.error = str(error)
            return
        self.notify_level, self.muted, self.error = heard.level, heard.muted, ""
        await push.refresh_loud_rooms()
