"""The profile page: the logged-in user's name, join date and message count."""

import reflex as rx

from djangochat_rx import accounts, db, routes
from djangochat_rx.state.auth import AuthState


class ProfileState(AuthState):
    joined: str = ""
    message_count: int = 0

    @rx.event
    async def load(self):
        """Guard the page and read the profile."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        profile = await db.run(accounts.profile, identity.user_id)
        self.joined = profile.joined.isoformat()
        self.message_count = profile.message_count
