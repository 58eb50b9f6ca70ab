"""Single sign-on's last step on our side: the page a provider's return lands on (/login/sso?ticket=…) starts
the session (or the code step of a second factor) for the account http/sso.py found."""

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.domain import accounts, sso
from djangochat_rx.state.auth import AuthState, start_session_after


async def _found(user: accounts.UserView) -> accounts.UserView:
    return user


class SsoState(AuthState):
    error: str = ""
    pending: bool = False

    @rx.event
    async def finish(self):
        """Redeem the ticket in the address, once; an unusable one says so on the page."""
        ticket = self.router.url.query_parameters.get("ticket", "")
        self.error = ""
        try:
            user, provider = await db.run(sso.redeem_ticket, ticket if isinstance(ticket, str) else "")
        except sso.SsoError as error:
            self.error = str(error)
            return
        how = f"single sign-on ({provider})" if provider else "single sign-on"
        async for update in start_session_after(self, _found(user), routes.ROOMS, sign_in=how):
            yield update
