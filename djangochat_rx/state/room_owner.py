"""The room's owner at work, from its panels: inviting and removing members, renaming, archiving, deleting."""

from typing import Any

import reflex as rx

from djangochat_rx import routes, settings
from djangochat_rx.actions import joining, perform
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.domain import admin, rooms
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import field, whole
from djangochat_rx.state.room_panels import Panels


class OwnerSettings(Panels, mixin=True):
    # A guest invite link the owner just made (shown once).
    guest_link: str = ""

    @rx.event
    async def invite_guests(self, form: dict[str, Any]):
        """The owner makes a guest invite link for this room, shown once: good for a number of people during a
        number of days; its guests see only this room (and the people in it), for a number of days or no end."""
        identity = await self._in_room()
        self.panel_error, self.panel_notice, self.guest_link = "", "", ""
        if identity is None:
            return
        days, uses, stay = (whole(form, name, -1) for name in ("days", "uses", "guest_days"))
        try:
            await throttle.before_create(identity.user_id)
            _, token = await perform(joining.create_invite, identity.user_id, days, uses, "", (self._room_id,), stay)
        except (rooms.RoomError, admin.AdminError, throttle.Throttled) as error:
            self.panel_error = str(error)
            return
        self.guest_link = settings.PUBLIC_URL + routes.invite(token)

    @rx.event
    async def invite(self, form: dict[str, Any]):
        """Add a user to this private room by username."""
        invited = await self._room_action(room_actions.invite, field(form, "username"))
        if invited is not None:
            self.panel_notice = f"{invited} can now see this room."
            yield rx.set_value("invite-username", "")

    @rx.event
    async def save_retention(self, form: dict[str, Any]):
        """The room's own retention policy: messages older than a number of days are deleted (0: the server's).
        An owner may only shorten it; its pages (this one too) show the policy in force once it is set."""
        days = whole(form, "days", -1)
        in_force = await self._room_action(room_actions.set_room_retention, days)
        if in_force is not None:
            self.panel_notice = (
                f"Messages older than {in_force} days are deleted." if in_force else "Messages here are kept."
            )

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
