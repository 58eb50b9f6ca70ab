"""API tokens (api_tokens.py) on the account page (one's own) and in the admin area (everyone's, and tokens
for other accounts or a new bot account): listed, made (the token shown once) and revoked."""

from typing import Any

import reflex as rx

from djangochat_rx import db
from djangochat_rx.actions import api_tokens as token_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import accounts, admin, api_tokens
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState, field, password_checked

# The id of the form's password field (components/api_tokens.py), emptied once a token is made.
PASSWORD_FIELD = "token-password"


class ApiTokensState(AuthState):
    tokens: list[api_tokens.TokenView] = []
    # The token just made: shown once (only its hash is kept).
    new_token: str = ""
    token_error: str = ""
    # Listing every account's tokens (the admin area) rather than one's own.
    everyone: bool = False

    @rx.event
    async def load_tokens(self, everyone: bool = False):
        """The list, when the account page or the admin area's tab opens."""
        self.everyone = everyone is True
        self.new_token, self.token_error = "", ""
        await self._tokens(None)

    @rx.event
    async def create_token(self, form: dict[str, Any]):
        """Make a token once the maker's current password is checked (charged to their password-check budget)."""

        async def make(user_id: int) -> None:
            scopes = [scope for scope in api_tokens.SCOPES if form.get(f"scope_{scope}")]
            _, self.new_token = await password_checked(
                user_id,
                token_actions.create_token,
                field(form, "password"),
                field(form, "name"),
                scopes,
                field(form, "days") or "0",
                field(form, "for_username") if self.everyone else "",
                self.everyone and bool(form.get("new_bot")),
            )

        self.new_token, self.token_error = "", ""
        await self._tokens(make)
        if self.new_token:
            return rx.set_value(PASSWORD_FIELD, "")
        return None

    @rx.event
    async def revoke_token(self, token_id: int):
        async def stop(user_id: int) -> None:
            await perform(token_actions.revoke_token, user_id, token_id)

        self.new_token, self.token_error = "", ""
        if isinstance(token_id, int):
            await self._tokens(stop)

    async def _tokens(self, work) -> None:
        identity = await self._identity()
        if identity is None:
            self.tokens = []
            return
        try:
            if work is not None:
                await work(identity.user_id)
        except (
            api_tokens.TokenError,
            accounts.AccountError,
            admin.AdminError,
            throttle.Throttled,
            db.HashingBusy,
        ) as error:
            self.token_error = str(error)
        try:
            self.tokens = await db.run(api_tokens.listed, identity.user_id, self.everyone)
        except admin.AdminError:
            self.tokens = []
