"""The two-factor page: turn sign-in with an authenticator app on (a QR code, then its first code, then the
recovery codes, shown once), get new recovery codes, or turn it off (the password and a code). A session that
must enrol before anything else (second_factor.must_enrol) may use this page and nothing else."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import perform
from djangochat_rx.actions import second_factor as factor_actions
from djangochat_rx.domain import accounts, passkeys, second_factor
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState, field, password_checked
from djangochat_rx.state.passkeys import PasskeyCeremony

T = TypeVar("T")


class TwoFactorState(PasskeyCeremony, AuthState):
    enrolled: bool = False
    # The passkeys this account signs in with.
    passkey_list: list[passkeys.PasskeyView] = []
    required: bool = False
    # Signed in, but the server requires a factor before anything else.
    must_enrol: bool = False
    recovery_codes_left: int = 0
    # While enrolling: the QR code (an SVG data URI) and the secret as text, for typing into an app.
    qr: str = ""
    secret: str = ""
    # Fresh recovery codes, shown once (until the page is left or "I saved them" is pressed).
    codes: list[str] = []
    error: str = ""
    notice: str = ""
    # This sign-in was held here to enrol: once the codes are saved, on to the rooms.
    _held: bool = False

    def _enrols(self) -> bool:
        return True

    async def _show(self, user_id: int) -> None:
        status = await db.run(second_factor.status, user_id)
        self.enrolled, self.required = status.enrolled, status.required
        self.recovery_codes_left = status.recovery_codes_left
        self.passkey_list = await db.run(passkeys.listed, user_id)
        self.must_enrol = status.required and not status.enrolled and not self.passkey_list

    async def _coded(self, user_id: int, work: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        """Run `work` (an action that checks a code from the user) charged to the code budgets first, and clear
        them once it worked; whether it did, and its value (a refusal is the page's error)."""
        self.error, self.notice = "", ""
        try:
            await throttle.before_second_factor(user_id, self.router.session.client_ip)
            value = await work()
        except (accounts.AccountError, throttle.Throttled, db.HashingBusy) as error:
            self.error = str(error)
            return False, None
        await throttle.second_factor_succeeded(user_id)
        return True, value

    @rx.event
    async def load(self):
        """The page, for anyone signed in; a session held here to enrol gets nothing else (no lists, no file
        tickets) until it has."""
        identity = await self._identity(fresh=True)
        if identity is not None and not identity.must_enrol:
            identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.qr, self.secret, self.codes, self.error, self.notice = "", "", [], "", ""
        await self._show(identity.user_id)
        self._held = self.must_enrol
        return None

    @rx.event
    async def start(self):
        """Show a new secret (QR code and text) for the app; its first code confirms it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.notice = "", ""
        try:
            enrolment = await perform(factor_actions.start_enrolment, identity.user_id)
        except accounts.AccountError as error:
            self.error = str(error)
            return None
        self.qr, self.secret = enrolment.qr, enrolment.secret
        return None

    @rx.event
    async def confirm(self, form: dict[str, Any]):
        """The app's first code: two-factor sign-in is on, the recovery codes are shown once."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        done, codes = await self._coded(
            identity.user_id, lambda: perform(factor_actions.confirm_enrolment, identity.user_id, field(form, "code"))
        )
        if not done:
            return None
        self.codes, self.qr, self.secret = codes, "", ""
        self.notice = "Two-factor sign-in is on. Save these recovery codes somewhere safe: each works once."
        await self._identity(fresh=True)  # this worker forgets that the session had to enrol
        await self._show(identity.user_id)
        return rx.set_value("enrol-code", "")

    @rx.event
    async def saved_codes(self):
        """The recovery codes were saved: hide them (they are never shown again); onward to the rooms when this
        sign-in was held here to enrol."""
        self.codes = []
        if self._held and self.enrolled:
            self._held = False
            return rx.redirect(routes.ROOMS)
        return None

    @rx.event
    async def new_codes(self, form: dict[str, Any]):
        """New recovery codes for a code (the old ones stop working)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        done, codes = await self._coded(
            identity.user_id, lambda: perform(factor_actions.new_recovery_codes, identity.user_id, field(form, "code"))
        )
        if not done:
            return None
        self.codes = codes
        await self._show(identity.user_id)
        self.notice = "New recovery codes: the old ones no longer work."
        return rx.set_value("codes-code", "")

    @rx.event
    async def turn_off(self, form: dict[str, Any]):
        """Two-factor sign-in off, with the password (its budget) and a code (its budget)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.codes = []
        password, code = field(form, "password"), field(form, "code")
        done, _ = await self._coded(
            identity.user_id, lambda: password_checked(identity.user_id, factor_actions.turn_off, password, code)
        )
        if not done:
            return None
        await self._show(identity.user_id)
        self.notice = "Two-factor sign-in is off: your password alone signs you in."
        return [rx.set_value("off-password", ""), rx.set_value("off-code", "")]

    @rx.event
    async def add_passkey(self, form: dict[str, Any]):
        """Ask the browser to create a passkey for this account (named as the form says)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.notice = "", ""
        party = self._relying_party()
        if party is None:
            return None
        try:
            ceremony = await db.run(passkeys.registration, identity.user_id, party[1])
        except accounts.AccountError as error:
            self.passkey_error = str(error)
            return None
        self._begin("create", ceremony, *party, name=field(form, "name"))
        return None

    @rx.event
    async def passkey_answered(self, answer: dict[str, Any]):
        """The browser created the passkey: checked and kept; a sign-in held here to enrol goes on to the rooms."""
        identity = await self._identity()
        got = self._answer("create", answer)
        if identity is None or got is None:
            return None
        credential, ceremony = got
        try:
            added = await perform(
                factor_actions.add_passkey,
                identity.user_id,
                ceremony.get("name", ""),
                credential,
                ceremony["challenge"],
                ceremony["origin"],
                ceremony["rp_id"],
            )
        except accounts.AccountError as error:
            self.passkey_error = str(error)
            return None
        self.notice = f"Passkey “{added.name}” added: use it to sign in, or as your second factor."
        await self._identity(fresh=True)  # a session held to enrol is free now
        await self._show(identity.user_id)
        if self._held:
            self._held = False
            return rx.redirect(routes.ROOMS)
        return rx.set_value("passkey-name", "")

    @rx.event
    async def remove_passkey(self, passkey_id: int):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        if isinstance(passkey_id, int):
            await perform(factor_actions.remove_passkey, identity.user_id, passkey_id)
            self.notice = "Passkey removed."
        await self._show(identity.user_id)
        return None
