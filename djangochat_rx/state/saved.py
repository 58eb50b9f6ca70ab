"""The Saved page: the messages the user keeps for later, newest saved first."""

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import saved
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState


class SavedState(AuthState):
    kept: list[saved.SavedView] = []
    saved_error: str = ""

    @rx.event
    async def load(self):
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.kept = await db.run(saved.saved_list, identity.user_id)

    @rx.event
    async def remove(self, message_id: int):
        """Take a message off the list (the user's pages of its room show it unsaved)."""
        identity = await self._identity()
        if identity is None or not isinstance(message_id, int):
            return
        try:
            await throttle.before_send(identity.user_id)
            await perform(message_actions.unsave_message, identity.user_id, identity.username, message_id)
        except throttle.Throttled as error:
            self.saved_error = str(error)
            return
        self.saved_error = ""
        self.kept = [item for item in self.kept if item.message.id != message_id]
