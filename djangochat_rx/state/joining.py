"""Setting up an empty instance, "Forgot password", reset links and address checks.

Every page here is for someone not logged in (or, for an address check, logged in anywhere): each
handler calls one action from djangochat_rx/actions/joining.py and shows what it says. Opening a link's
page changes nothing (a mail scanner opens links): a reset link's asks for the new password, an address
check's for a click.
"""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import joining, perform, perform_hashing
from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.domain import account_links, accounts, signup, sso
from djangochat_rx.infra import throttle
from djangochat_rx.notify import mail
from djangochat_rx.state.auth import AuthState, field, start_session_after, tokens_revoked

# What "Forgot password" answers, whether or not the name or address belongs to anyone.
FORGOT_SENT = (
    "If an account here has that username or verified address, we emailed it a link to reset the password. "
    "It works for {minutes} minutes."
)


def _token(state: rx.State) -> str:
    token = state.router.url.query_parameters.get("token", "")
    return token if isinstance(token, str) else ""


class SetupState(AuthState):
    """The first page of an empty instance: create the first administrator and choose who may join."""

    error: str = ""
    pending: bool = False

    @rx.event
    async def open(self):
        """Only an instance that is still empty shows the form; any other goes to the login page."""
        self.error, self.pending = "", False
        await self._enter_page(lists=False)
        if not (await db.run(signup.policy)).needs_setup:
            return rx.redirect(routes.LOGIN, replace=True)

    @rx.event
    async def set_up(self, form: dict[str, Any]):
        fields = [field(form, name) for name in ("username", "password", "confirm_password")]
        mode = field(form, "mode") or signup.DEFAULT_MODE
        async for update in start_session_after(
            self, self._set_up(fields, mode), routes.ADMIN, self._refused, sign_in="setup"
        ):
            yield update

    async def _set_up(self, fields: list[str], mode: str) -> accounts.UserView:
        await throttle.before_register(self.router.session.client_ip)
        return await perform_hashing(joining.set_up, *fields, mode)

    def _refused(self, error: Exception):
        """Set up meanwhile by someone else: this page is over, log in instead."""
        if isinstance(error, signup.AlreadySetUp):
            return rx.redirect(routes.LOGIN, replace=True)
        self.error = str(error)
        return None


class ForgotState(AuthState):
    """ "Forgot password": a reset link by email, the same answer whether or not the account exists."""

    email_enabled: bool = False
    sent: str = ""
    error: str = ""

    @rx.event
    async def open(self):
        self.sent, self.error = "", ""
        self.email_enabled = mail.configured()
        if await self._enter_page(lists=False) is not None:
            return rx.redirect(routes.ACCOUNT, replace=True)

    @rx.event
    async def request(self, form: dict[str, Any]):
        """Mail a reset link to the account named (by username or verified address), if there is one."""
        self.sent, self.error = "", ""
        login = field(form, "login").strip()[:254]
        if not login:
            self.error = "Enter your username or email address."
            return
        if not mail.configured():
            self.error = "Email is not set up on this server: ask an administrator for a reset link."
            return
        try:
            await throttle.before_email_link(self.router.session.client_ip, login)
        except throttle.Throttled as error:
            self.error = str(error)
            return
        await perform(joining.request_reset, login)  # its mail goes in the background: the answer tells nothing
        self.sent = FORGOT_SENT.format(minutes=settings.EMAIL_RESET_LINK_MINUTES)


class ResetState(AuthState):
    """A reset link's page: choose a new password, which logs the account out everywhere and in here."""

    # "loading", "form" (a usable link, for `for_user`) or "invalid".
    status: str = "loading"
    for_user: str = ""
    error: str = ""
    pending: bool = False

    @rx.event
    async def open(self):
        await self._enter_page(lists=False)
        self.error, self.pending = "", False
        name = await db.run(account_links.link_username, _token(self), account_links.RESET)
        self.for_user, self.status = (name, "form") if name else ("", "invalid")

    @rx.event
    async def set_password(self, form: dict[str, Any]):
        """Set the password through the link (the account's sessions end, its API tokens are revoked) and log in
        here; the next page says how many tokens went."""
        new, confirm = field(form, "password"), field(form, "confirm_password")
        async for update in start_session_after(
            self, self._reset(new, confirm), routes.ROOMS, self._refused, sign_in="password reset"
        ):
            yield update

    async def _reset(self, new: str, confirm: str) -> accounts.UserView:
        await db.run(sso.check_passwords_allowed)
        user, revoked = await perform_hashing(joining.reset_password, _token(self), new, confirm)
        if said := tokens_revoked(revoked):
            self._flash(said)
        return user

    def _refused(self, error: Exception) -> None:
        """A link used or expired meanwhile says so instead of the form."""
        if isinstance(error, account_links.InvalidLink):
            self.status, self.for_user = "invalid", ""
        else:
            self.error = str(error)


class VerifyState(AuthState):
    """An address check link's page: it asks, and only the click on "Confirm this address" makes the address
    the account's (a mail scanner that opens links confirms nothing); the address it replaced is told."""

    # "loading", "form" (a usable link: `message` asks), "done" or "invalid".
    status: str = "loading"
    message: str = ""

    @rx.event
    async def open(self):
        await self._enter_page(lists=False)
        pending = await db.run(account_links.pending_address, _token(self))
        if pending is None:
            self.status, self.message = "invalid", str(account_links.InvalidLink())
            return
        username, address = pending
        self.status, self.message = "form", f"Make {address} the email address of {username}?"

    @rx.event
    async def confirm(self):
        try:
            change = await perform(joining.verify_email, _token(self))
        except (account_links.InvalidLink, account_links.EmailInUse) as error:
            self.status, self.message = "invalid", str(error)
            return
        self.status, self.message = "done", f"{change.address} is now the email address of {change.username}."


class UnsubscribeState(AuthState):
    """An email's unsubscribe link: one button turns the emails off (opening the link alone does not,
    so a mail scanner that follows links unsubscribes nobody)."""

    status: str = "form"
    message: str = ""

    @rx.event
    async def open(self):
        self.status, self.message = "form", ""
        await self._enter_page(lists=False)

    @rx.event
    async def confirm(self):
        username = await perform(notice_actions.unsubscribe, _token(self))
        if username is None:
            self.status, self.message = "invalid", "This link has expired. Choose your emails on your account page."
        else:
            self.status, self.message = "done", f"Done: {username} gets no more emails about unread messages."
