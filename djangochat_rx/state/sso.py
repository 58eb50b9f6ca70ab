"""Single sign-on's last step on our side: the page a provider's return lands on (/login/sso?ticket=…) starts
the session (or the code step of a second factor) for the account http/sso.py found. An account the sign-in
just made first offers its person the username proposed from their provider profile, to keep or change once."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import joining, perform
from djangochat_rx.domain import accounts, sso
from djangochat_rx.state.auth import AuthState, field, start_session_after


async def _found(user: accounts.UserView) -> accounts.UserView:
    return user


class SsoState(AuthState):
    error: str = ""
    pending: bool = False
    # A new account's proposed username, while its person chooses (the page shows the form when set).
    proposed: str = ""
    # The new account waiting for its username (its id, the proposal, how it signed in): set only by a redeemed
    # ticket of an account the sign-in made, used once.
    _new_account: dict[str, Any] = {}

    @rx.event
    async def finish(self):
        """Redeem the ticket in the address, once; an unusable one says so on the page."""
        ticket = self.router.url.query_parameters.get("ticket", "")
        self.error, self.proposed, self._new_account = "", "", {}
        try:
            user, provider = await db.run(sso.redeem_ticket, ticket if isinstance(ticket, str) else "")
        except sso.SsoError as error:
            self.error = str(error)
            return
        how = f"single sign-on ({provider})" if provider else "single sign-on"
        if isinstance(user, sso.NewAccount):
            self._new_account = {"id": user.id, "username": user.username, "how": how}
            self.proposed = user.username
            return
        async for update in start_session_after(self, _found(user), routes.ROOMS, sign_in=how):
            yield update

    @rx.event
    async def choose_username(self, form: dict[str, Any]):
        """Keep or change the new account's proposed username (once), then start its first session."""
        new = self._new_account
        if not new:
            return
        chosen = perform(joining.choose_first_username, new["id"], field(form, "username").strip())
        async for update in start_session_after(self, chosen, routes.ROOMS, sign_in=new["how"]):
            yield update
        if not self.error:
            self._new_account, self.proposed = {}, ""
