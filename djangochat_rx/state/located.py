"""/messages/<id>: a link to a message wherever it is (a forwarded copy's link to its original). It opens the
message's room at the message (a reply: its thread) for those who may read it; anyone else is told what a
made-up id tells."""

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.domain import forwarding, messages
from djangochat_rx.state.auth import AuthState


class LocatedState(AuthState):
    located_error: str = ""

    @rx.event
    async def load(self):
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        wanted = self.message_id
        try:
            path = await db.run(forwarding.located, identity.user_id, int(wanted) if wanted.isdigit() else 0)
        except messages.MessageNotFound:
            self.located_error = "This message does not exist, or you cannot read it."
            return
        self.located_error = ""
        return rx.redirect(path, replace=True)
