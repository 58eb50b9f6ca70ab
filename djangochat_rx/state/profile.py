"""Profile pages: `/users/<name>` for anyone logged in (join date, messages, rooms in common,
"Message"), where the user's own page also sets their display name and "about" line."""

from typing import Any, Literal

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import avatars as avatar_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import availability, profiles, rooms
from djangochat_rx.infra import throttle
from djangochat_rx.models import utcnow
from djangochat_rx.state.auth import AuthState, field


class ProfileState(AuthState):
    status: Literal["loading", "ready", "missing"] = "loading"
    shown_name: str = ""
    display_name: str = ""
    about: str = ""
    # Their status, their time zone and the time there (when known), and until when they are not to be disturbed.
    status_line: str = ""
    local_time: str = ""
    quiet_until: str = ""
    joined: str = ""
    message_count: int = 0
    rooms_in_common: list[profiles.CommonRoom] = []
    is_me: bool = False
    is_bot: bool = False
    is_guest: bool = False
    error: str = ""
    saved: bool = False

    @rx.event
    async def load(self):
        """Guard the page and read the profile of the user in the address."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.saved = "", False
        try:
            profile = await db.run(profiles.profile, identity.user_id, self.name)
        except profiles.UserNotFound:
            self.status = "missing"
            return
        self._show(profile)
        self.is_me = profile.username == identity.username
        self.status = "ready"

    @rx.event
    async def open_own(self):
        """`/profile`: the logged-in user's own page."""
        identity = await self._enter_page()
        return rx.redirect(routes.user(identity.username) if identity else routes.LOGIN, replace=True)

    @rx.event
    async def save(self, form: dict[str, Any]):
        """Set the user's own display name and "about" line."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            profile = await db.run(
                profiles.update_profile, identity.user_id, field(form, "display_name"), field(form, "about")
            )
        except profiles.ProfileError as error:
            self.error, self.saved = str(error), False
            return
        self.error, self.saved = "", True
        if self.is_me:
            self._show(profile)

    @rx.event
    async def message(self):
        """Open (or create) the direct conversation with the user shown."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            return await self._open_direct(identity, [self.shown_name])
        except rooms.RoomError as error:
            self.error = str(error)

    @rx.event
    def picture_changed(self, _user_id: int):
        """The browser uploaded a new picture (files.upload_avatar); every page, this one too, gets it live."""
        self.error = ""

    @rx.event
    def picture_refused(self, reason: str):
        """The browser or the server refused the picture: say why."""
        self.error = reason[:300] if isinstance(reason, str) else ""

    @rx.event
    async def remove_picture(self):
        """Go back to the generated picture (initials on the name's colour), within the picture changes' budget."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        try:
            await throttle.before_picture_change(identity.user_id)
        except throttle.Throttled as refused:
            self.error = str(refused)
            return
        await perform(avatar_actions.remove_avatar, identity.user_id)
        self.error = ""

    def _show(self, profile: profiles.Profile) -> None:
        self.shown_name, self.display_name, self.about = profile.username, profile.display_name, profile.about
        self.status_line, self.quiet_until = profile.status, profile.quiet_until
        self.local_time = (
            f"{availability.local(utcnow(), profile.time_zone):%H:%M} ({profile.time_zone})"
            if profile.time_zone
            else ""
        )
        self.joined, self.message_count = profile.joined.isoformat(), profile.message_count
        self.rooms_in_common, self.is_bot = list(profile.rooms_in_common), profile.is_bot
        self.is_guest = profile.is_guest
