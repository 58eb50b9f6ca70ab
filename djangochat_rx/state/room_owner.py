"""The room's owner at work, from its panels: inviting and removing members, renaming, archiving, deleting."""

from typing import Any

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.state.auth import field
from djangochat_rx.state.room_panels import Panels


class OwnerSettings(Panels, mixin=True):
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
