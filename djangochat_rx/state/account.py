"""The account page: change password, the email address (checked by a link), the active sessions,
log out everywhere."""

from typing import Any, TypedDict
from urllib.parse import urlencode

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import joining, perform
from djangochat_rx.actions import notices as notice_actions
from djangochat_rx.actions import read_receipts as receipt_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.domain import account_links, accounts, passkeys, read_receipts, second_factor, sessions, sso
from djangochat_rx.infra import throttle
from djangochat_rx.notify import mail, notices
from djangochat_rx.state.auth import AuthState, field, password_checked, tokens_revoked

# The id of the email form's password field (pages/account.py), emptied once the check link is sent.
EMAIL_PASSWORD_FIELD = "email-password"


class SessionItem(TypedDict):
    id: int
    created_at: str
    last_seen_at: str
    user_agent: str
    current: bool
    # How it was opened: "password", "password reset", … and "+ authenticator app" when a code was shown.
    how: str


class AccountState(AuthState):
    sessions: list[SessionItem] = []
    error: str = ""
    notice: str = ""
    pending: bool = False
    # The verified address ("" for none); whether this server sends email at all.
    email: str = ""
    email_enabled: bool = False
    email_error: str = ""
    email_notice: str = ""
    # notices.py: "mentions", "digest" or "off", and after how many minutes unread (as text, for the select).
    notices_choice: str = "mentions"
    notices_delay: str = "10"
    # Read receipts (read_receipts.py): whether others see how far this person has read their messages, and whether
    # the instance shows read receipts at all.
    share_read_receipts: bool = False
    read_receipts_here: bool = True
    # Whether signing in asks for a code from an authenticator app (the two-factor page changes it).
    two_factor_on: bool = False
    passkey_count: int = 0
    # The single sign-on providers this account signs in with (domain/sso.py).
    sso_links: list[sso.LinkView] = []
    sso_error: str = ""
    sso_notice: str = ""
    # A link just started (link_provider): where the browser goes to finish it, and the provider's name.
    link_url: str = ""
    link_label: str = ""
    # The providers the account could link: id and label (those it is not linked to).
    sso_unlinked: list[dict[str, str]] = []

    async def _list_sessions(self, current_id: int, user_id: int) -> None:
        self.sessions = [
            SessionItem(
                id=s.id,
                created_at=s.created_at.isoformat(),
                last_seen_at=s.last_seen_at.isoformat(),
                user_agent=s.user_agent or "unknown browser",
                current=s.id == current_id,
                how=s.sign_in if s.second_factor in ("", s.sign_in) else f"{s.sign_in} + {s.second_factor}",
            )
            for s in await db.run(sessions.active_sessions, user_id)
        ]

    @rx.event
    async def load(self):
        """Guard the page and list the sessions."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.error, self.notice, self.email_error, self.email_notice = "", "", "", ""
        self.email_enabled = mail.configured()
        self.email = await db.run(account_links.email_of, identity.user_id)
        chosen = await db.run(notices.preferences, identity.user_id)
        self.notices_choice, self.notices_delay = chosen.choice, str(chosen.delay_minutes)
        self.two_factor_on = (await db.run(second_factor.status, identity.user_id)).enrolled
        self.share_read_receipts = await db.run(read_receipts.sharing, identity.user_id)
        self.read_receipts_here = await db.run(read_receipts.instance_on)
        self.passkey_count = len(await db.run(passkeys.listed, identity.user_id))
        await self._load_links(identity.user_id)
        self._show_link_outcome()
        await self._list_sessions(identity.session_id, identity.user_id)

    @rx.event
    async def add_email(self, form: dict[str, Any]):
        """Once the current password is checked, email a check link to the address; confirming it there makes
        the address this account's."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.email_error, self.email_notice = "", ""
        if not mail.configured():
            self.email_error = "This server does not send email."
            return None
        try:
            address = account_links.check_address(field(form, "email"))
            await throttle.before_email_link(self.router.session.client_ip, address)
            link = await password_checked(identity.user_id, joining.request_verify, field(form, "password"), address)
        except (accounts.AccountError, throttle.Throttled, db.HashingBusy) as error:
            self.email_error = str(error)
            return None
        self.email_notice = f"We sent a link to {link.address}: open it to confirm the address."
        return [rx.set_value("email", ""), rx.set_value(EMAIL_PASSWORD_FIELD, "")]

    @rx.event
    def pick_notices(self, choice: str):
        """The radio buttons' choice, before it is saved."""
        if choice in notices.CHOICES:
            self.notices_choice = choice

    @rx.event
    def pick_delay(self, minutes: str):
        if minutes in {str(delay) for delay in notices.DELAYS}:
            self.notices_delay = minutes

    @rx.event
    async def save_notices(self, form: dict[str, Any]):
        """Which emails about unread mentions and direct messages this account gets."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.email_error, self.email_notice = "", ""
        delay = field(form, "notices_delay")
        try:
            chosen = await perform(
                notice_actions.set_email_notices,
                identity.user_id,
                field(form, "notices_choice"),
                int(delay) if delay.isdigit() else 0,
            )
        except notices.InvalidChoice as error:
            self.email_error = str(error)
            return None
        self.notices_choice, self.notices_delay = chosen.choice, str(chosen.delay_minutes)
        self.email_notice = "Email preferences saved."
        return None

    @rx.event
    async def share_receipts(self, share: bool):
        """Let others see when this person has read their messages ("Seen by" under theirs), or stop."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        if isinstance(share, bool):
            self.share_read_receipts = await perform(receipt_actions.set_sharing, identity.user_id, share)
        return None

    @rx.event
    async def remove_email(self):
        """Forget the account's address: no more email, no emailed password resets."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        await perform(joining.remove_email, identity.user_id)
        self.email, self.email_error, self.email_notice = "", "", "Email address removed."
        return None

    @rx.event
    async def change_password(self, form: dict[str, Any]):
        """Check the current password, set the new one, end every other session of the user and revoke their API
        tokens (the notice says how many)."""
        identity = await self._identity()
        if identity is None:
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        self.error, self.notice, self.pending = "", "", True
        yield
        current, new, confirm = (
            field(form, name) for name in ("current_password", "new_password", "confirm_new_password")
        )
        try:
            accounts.validate_password(new, confirm)  # a typo in the new one costs no attempt
            revoked = await password_checked(
                identity.user_id, session_actions.change_password, identity.session_id, current, new, confirm
            )
        except (accounts.AccountError, throttle.Throttled, db.HashingBusy) as error:
            self.error = str(error)
            return
        finally:
            self.pending = False
        self.notice = " ".join(
            filter(None, ["Password changed. Every other session has been logged out.", tokens_revoked(revoked)])
        )
        await self._list_sessions(identity.session_id, identity.user_id)
        yield rx.set_value("current_password", "")
        yield rx.set_value("new_password", "")
        yield rx.set_value("confirm_new_password", "")

    @rx.event
    async def log_out_everywhere(self):
        """End every session of the user, this one included, and revoke their API tokens (said on the login
        page)."""
        identity = await self._identity()
        if identity is None:
            return await self._log_out()
        revoked = await perform(session_actions.end_sessions, identity.user_id)
        said = " ".join(filter(None, ["Every session of your account was logged out.", tokens_revoked(revoked)]))
        self._flash(said)
        return await self._log_out()

    @rx.event
    async def link_provider(self, provider_id: str):
        """Start linking a single sign-on provider: the page offers the way there (a link with a one-time token; a
        whole-page load, which a handler's redirect to the same host is not) and the browser comes back here, the
        provider's account now signing in to this one."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        if not isinstance(provider_id, str) or provider_id not in {known.id for known in sso.providers()}:
            return
        try:
            await throttle.before_sso_link(identity.user_id)
        except throttle.Throttled as refused:
            self.sso_error = str(refused)
            return
        token = await perform(session_actions.start_provider_link, identity.user_id, provider_id)
        self.link_url = f"{self._backend()}/_sso/{provider_id}/start?{urlencode({'link': token})}"
        self.link_label = next(known.name for known in sso.providers() if known.id == provider_id)

    async def _load_links(self, user_id: int) -> None:
        """The providers the account signs in with, and the others it could link."""
        self.sso_links = await db.run(sso.links_of, user_id)
        linked = {link.provider for link in self.sso_links}
        self.sso_unlinked = [{"id": p.id, "label": p.name} for p in sso.providers() if p.id not in linked]

    def _show_link_outcome(self) -> None:
        """How a link started here ended (the callback comes back with ?sso_linked=<provider> or ?sso=<reason>);
        only known providers and reasons are shown, whatever the address says."""
        query = self.router.url.query_parameters
        names = {known.id: known.name for known in sso.providers()}
        linked, reason = query.get("sso_linked", ""), query.get("sso", "")
        self.sso_notice = f"{names[linked]} is linked: you can sign in with it." if linked in names else ""
        self.sso_error = sso.REASONS.get(reason, "") if isinstance(reason, str) else ""

    @rx.event
    async def unlink_provider(self, provider_id: str):
        """Stop signing in with a single sign-on provider (refused when it is the account's only way in)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.sso_error, self.sso_notice = "", ""
        try:
            await perform(session_actions.unlink_provider, identity.user_id, str(provider_id))
        except sso.SsoError as error:
            self.sso_error = str(error)
        await self._load_links(identity.user_id)
        return None
