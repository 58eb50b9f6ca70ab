"""The session every page shares: who is logged in, page guards, login, registration, logout."""

import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import Outcome, joining, perform, perform_hashing
from djangochat_rx.actions import availability as availability_actions
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.actions import second_factor as factor_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.domain import (
    accounts,
    availability,
    avatars,
    custom_emoji,
    devices,
    passkeys,
    rooms,
    second_factor,
    sessions,
    signup,
    sso,
    tickets,
)
from djangochat_rx.domain.sessions import Identity
from djangochat_rx.domain.wording import counted
from djangochat_rx.infra import throttle
from djangochat_rx.realtime import hub
from djangochat_rx.realtime.sockets import sockets
from djangochat_rx.state.passkeys import PasskeyCeremony

T = TypeVar("T")


def field(form: dict[str, Any], name: str) -> str:
    """A form value as text, whatever a client sent."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def whole(form: dict[str, Any], name: str, otherwise: int = 0) -> int:
    """A form value as a whole number, or `otherwise` for anything else (a value the range checks refuse)."""
    text = field(form, name).strip()
    return int(text) if text.isdigit() else otherwise


async def password_checked(user_id: int, action: Callable[..., Outcome[T]], *args: Any) -> T:
    """Perform `action` (which checks the user's current password first) on bcrypt's pool, charged to the
    account's password-check budget before it runs (throttle.before_password_check): a stolen session cannot
    guess the password on. The budget is cleared once the password was right."""
    await throttle.before_password_check(user_id)
    value = await perform_hashing(action, user_id, *args)
    await throttle.password_check_succeeded(user_id)
    return value


def tokens_revoked(count: int) -> str:
    """What a page says after recovering an account revoked its API tokens ("" for none)."""
    if count == 0:
        return ""
    which = "Your API token was" if count == 1 else f"Your {count} API tokens were"
    return f"{which} revoked: make a new one on your account page where a script still needs it."


def checked(form: dict[str, Any], name: str) -> bool:
    """Whether a form's checkbox is ticked (a Radix checkbox with an id sends true, a plain one "on")."""
    return form.get(name) in (True, "on")


def _page_media(database, session_id: int, view: str, upload: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """What a logged-in page needs for files, faces and emoji, in one trip to the database's threads: the tab's
    view and upload tickets (tickets.tickets), everyone's uploaded pictures (avatars.pictures) and the custom
    emoji (custom_emoji.emoji_map)."""
    media = tickets.tickets(database, session_id, view, upload)
    return *media, avatars.pictures(database), custom_emoji.emoji_map(database)


async def _resolve(token: str) -> Identity | None:
    """The session behind `token` from the database, remembered in (or dropped from) sessions.recent."""
    identity = await db.run(sessions.resolve, token)
    if identity is None:
        sessions.recent.drop(token)
    else:
        sessions.recent.put(token, identity)
    return identity


class AuthState(rx.State):
    """The browser's session token and the identity the server resolves from it."""

    # The random token; the database keeps only its hash. sync=True: logging out in one tab
    # clears it in every tab of the browser.
    session_token: str = rx.LocalStorage("", name="djangochat_session", sync=True)
    # This browser's known-device token (devices.py): its own login budget while the account is locked.
    device_token: str = rx.LocalStorage("", name="djangochat_device")
    username: str = ""
    # Shows the navbar's Admin link; the admin page and its handlers check again through djangochat_rx.domain.admin.
    is_admin: bool = False
    # For what the pages offer only (no room directory, no "New room"): every rule is checked on the server.
    is_guest: bool = False
    # The latest message that mentioned this user, for a browser notification. Written only by realtime/rooms_list.py.
    notice: dict[str, str | int] = {}
    # A reminder that fell due or a scheduled message that failed (realtime later_notices): its text and link,
    # shown on the page (components/layout.py) until the next page opens. Written only by realtime/.
    later_notice: dict[str, str] = {}
    # Files (attachments.py, files.py): the tab's view ticket rides in a cookie so <img> and download links
    # reach the file route; its upload ticket goes in an upload's header. `files_base` is the backend's
    # origin (in development the page comes from another port).
    media_ticket: str = rx.Cookie(
        "", name="djangochat_media", path="/", same_site="strict", max_age=settings.MEDIA_TICKET_HOURS * 3600
    )
    upload_ticket: str = rx.SessionStorage("", name="djangochat_upload_ticket")
    files_base: str = ""
    # Where people's tools reach the backend: webhook URLs, the REST API's reference (routes.public_backend_url).
    api_base: str = ""
    # Everyone's uploaded pictures (username -> URL) when the page loads, then each change alone, both written
    # only by realtime/ straight to the browser (hub.show_pictures; an AvatarChanged event), which merges them
    # (components/avatar.py): no tab's state on the server holds a copy of everyone's pictures.
    avatars: dict[str, str] = {}
    avatar_changed: dict[str, str] = {}
    # The custom emoji (name -> picture URL) the same way (an EmojiChanged event; components/custom_emoji.py).
    custom_emoji: dict[str, str] = {}
    custom_emoji_changed: dict[str, str] = {}
    # A line the next page a handler sends the tab to shows once (components/layout.py; a toast sent from the
    # server would run through eval, which the Content-Security-Policy forbids): set by `_flash`, shown by the
    # next page load, cleared by the one after.
    flash: str = ""
    # A link the flash offers ("" for none): its text and address.
    flash_link: dict[str, str] = {}
    _flash_shown: bool = False
    # The person's time zone is not known yet: the page's TimeZoneProbe asks the browser (note_time_zone).
    zone_unknown: bool = False

    def _flash(self, text: str, link: dict[str, str] | None = None) -> None:
        self.flash, self.flash_link, self._flash_shown = text, link or {}, False

    def _enrols(self) -> bool:
        """Whether this state's handlers act for a session that must enrol a second factor first (only the
        two-factor page's do: for every other handler such a session is nobody)."""
        return False

    async def _identity(self, fresh: bool = False) -> Identity | None:
        """Re-check the session on the server; every handler that acts for a user starts here. Events
        (a send, typing) may take this worker's recent answer (sessions.RecentIdentities); page loads
        (`fresh`) always read the database."""
        identity = None if fresh else sessions.recent.get(self.session_token)
        if identity is None:
            identity = await _resolve(self.session_token)
        elif sessions.recent.due(self.session_token):
            sockets.spawn(_resolve(self.session_token))
        if identity is not None and identity.must_enrol and not self._enrols():
            identity = None
        self.username = identity.username if identity else ""
        self.is_admin = identity.is_admin if identity else False
        self.is_guest = identity.is_guest if identity else False
        return identity

    async def _enter_page(self, lists: bool = True) -> Identity | None:
        """Common start of every page load: resolve the session, stop watching the previous page's room,
        and follow the user's live notices and rooms lists, the sidebar's (or nothing, when logged out)."""
        if self.flash:
            if self._flash_shown:
                self.flash, self.flash_link = "", {}
            self._flash_shown = True
        identity = await self._identity(fresh=True)
        self.later_notice = {}
        sid = self.router.session.session_id
        self.zone_unknown = identity is not None and not identity.time_zone
        if identity is None:
            await hub.detach(sid)
        else:
            await hub.attach(sid, identity.session_id, identity.username)
            self.media_ticket, self.upload_ticket, pictures, emoji = await db.run(
                _page_media, identity.session_id, self.media_ticket, self.upload_ticket
            )
            await hub.show_pictures(sid, pictures, emoji)
            headers = self.router.headers
            self.files_base = routes.backend_origin(headers.origin, headers.host)
            self.api_base = self._backend()
            if lists:
                await hub.watch_lists(sid, identity.user_id, identity.username)
        return identity

    @rx.event
    async def note_time_zone(self, name: str):
        """The browser's time zone, kept when the person has none yet (the account page changes it)."""
        identity = await self._identity()
        self.zone_unknown = False
        if identity is None or identity.time_zone or not isinstance(name, str):
            return
        with contextlib.suppress(availability.InvalidZone):
            await perform(availability_actions.set_time_zone, identity.user_id, name, True)

    async def _start_session(
        self, user_id: int, username: str, sign_in: str, factor: str, destination: str
    ) -> rx.event.EventSpec:
        """Log the user in with a fresh token, ending whatever session this browser had (`sign_in` and `factor`
        say how: sessions.issue), and go to `destination` — or first to enrol a second factor, when one is
        required of them and they have none."""
        user_agent = self.router.headers.user_agent
        self.session_token = await perform(
            session_actions.start_session, user_id, user_agent, self.session_token, sign_in, factor
        )
        self.username = username
        identity = await _resolve(self.session_token)
        must_enrol = identity is not None and identity.must_enrol
        return rx.redirect(routes.TWO_FACTOR if must_enrol else destination, replace=True)

    def _backend(self) -> str:
        """Where this tab's people and tools reach the backend (routes.public_backend_url)."""
        headers = self.router.headers
        return routes.public_backend_url(headers.origin, headers.host, settings.PUBLIC_URL)

    @rx.event
    async def route_home(self):
        """`/`: logged-in users go to their rooms, everyone else to the login page."""
        identity = await self._enter_page(lists=False)
        if identity is None and (await db.run(signup.policy)).needs_setup:
            return rx.redirect(routes.SETUP, replace=True)
        return rx.redirect(routes.ROOMS if identity else routes.LOGIN, replace=True)

    @rx.event
    async def require_login(self):
        """Page guard for pages that need a login."""
        if await self._enter_page() is None:
            return rx.redirect(routes.LOGIN, replace=True)

    @rx.event
    async def logout(self):
        """Delete the server-side session, forget the token, leave every room; a session opened through a
        single sign-on provider is offered the provider's sign-out on the login page."""
        provider = await db.run(sso.provider_of_session, self.session_token) if self.session_token else None
        await perform(session_actions.log_out, self.session_token)
        if provider is not None:
            self._flash(
                f"You are signed out here. You may still be signed in at {provider.name}.",
                {"text": f"Sign out of {provider.name} too", "url": f"{self._backend()}/_sso/{provider.id}/logout"},
            )
        return await self._log_out()

    async def _open_direct(self, identity: Identity, usernames: list[str]):
        """Open (or create) the direct conversation of the user with `usernames`, put it on everyone's rooms
        list, and go there. rooms.RoomError (its text is for the page) when it cannot be opened, or the user
        opens conversations too fast (throttle.CREATE_LIMITS)."""
        try:
            await throttle.before_create(identity.user_id)
        except throttle.Throttled as error:
            raise rooms.RoomError(str(error)) from None
        direct = await perform(room_actions.open_direct, identity.user_id, usernames)
        return rx.redirect(routes.room(direct.slug))

    async def _log_out(self):
        """After this tab's session ended: unsubscribe its socket, forget the token, go to the login page."""
        await hub.detach(self.router.session.session_id)
        self.session_token = ""
        self.username, self.is_admin, self.is_guest = "", False, False
        return rx.redirect(routes.LOGIN, replace=True)


# Refusals a form that starts a session shows as they are.
FORM_REFUSALS = (accounts.AccountError, signup.InvalidChoice, throttle.Throttled, db.HashingBusy)


async def start_session_after(
    state: AuthState,
    attempt: Coroutine[Any, Any, accounts.UserView],
    destination: str,
    refused=None,
    sign_in: str = "password",
):
    """The common end of the login, registration, setup and reset forms (an async generator for their
    handlers): show progress while `attempt` runs; on success start a session for its user (`sign_in`: how)
    and go to `destination` — or first to the code step when the user has a second factor, or to enrol one
    when it is required of them; a refusal goes to `refused(error)` when given (it may answer with an
    event), else its text is the form's error. `state` has the `error` and `pending` vars."""
    state.error, state.pending = "", True
    yield
    try:
        user = await attempt
    except FORM_REFUSALS as error:
        answer = refused(error) if refused is not None else None
        if answer is None and refused is None:
            state.error = str(error)
        yield answer
        return
    finally:
        state.pending = False
    if await db.run(second_factor.is_enrolled, user.id):
        step = await state.get_state(SecondStepState)
        step._await_code(user, sign_in, destination)
        yield rx.redirect(routes.LOGIN_CODE, replace=True)
        return
    yield await state._start_session(user.id, user.username, sign_in, "", destination)


class SecondStepState(PasskeyCeremony, AuthState):
    """The code step of a sign-in: the password (or a reset link) was right for a user with a second factor;
    a code from their authenticator app or a recovery code starts the session. The user waits here, in the
    tab's server-side state (never sent to the browser), for SECOND_STEP_SECONDS."""

    error: str = ""
    pending: bool = False
    _user_id: int = 0
    _username: str = ""
    _sign_in: str = ""
    _destination: str = ""
    # Until when (wall-clock seconds: the tab's state may be read by another worker next).
    _until: float = 0.0

    def _await_code(self, user: accounts.UserView, sign_in: str, destination: str) -> None:
        self._user_id, self._username, self._sign_in, self._destination = user.id, user.username, sign_in, destination
        self._until = time.time() + settings.SECOND_STEP_SECONDS
        self.error, self.pending = "", False

    def _waiting(self) -> int:
        """The user whose code is awaited (0: none, or too late)."""
        return self._user_id if self._user_id and time.time() < self._until else 0

    async def _signed_in(self, user_id: int, factor: str) -> rx.event.EventSpec:
        """The awaited sign-in showed its second factor: the session starts, the wait is over."""
        self._user_id = 0
        return await self._start_session(user_id, self._username, self._sign_in, factor, self._destination)

    @rx.event
    async def open(self):
        """The code page shows only while a sign-in awaits its code; otherwise it is the login page."""
        self.error, self.pending = "", False
        if not self._waiting():
            self._user_id = 0
            return rx.redirect(routes.LOGIN, replace=True)
        return None

    @rx.event
    async def verify(self, form: dict[str, Any]):
        """Check the code (charged to the account's and the client's code budgets first); a right one starts
        the session."""
        user_id = self._waiting()
        if not user_id:
            self._user_id = 0
            yield rx.redirect(routes.LOGIN, replace=True)
            return
        self.error, self.pending = "", True
        yield
        try:
            await throttle.before_second_factor(user_id, self.router.session.client_ip)
            factor = await perform(factor_actions.use_code, user_id, field(form, "code"))
        except (accounts.AccountError, throttle.Throttled) as error:
            self.error = str(error)
            return
        finally:
            self.pending = False
        await throttle.second_factor_succeeded(user_id)
        if factor == second_factor.RECOVERY:
            left = (await db.run(second_factor.status, user_id)).recovery_codes_left
            self._flash(
                f"You signed in with a recovery code: it cannot be used again ({counted(left, 'code')} left). "
                "Make new ones on your account's two-factor page."
            )
        yield await self._signed_in(user_id, factor)

    @rx.event
    async def use_passkey(self):
        """Ask the browser for one of the awaited user's passkeys instead of a code."""
        user_id = self._waiting()
        if not user_id:
            return rx.redirect(routes.LOGIN, replace=True)
        party = self._relying_party()
        if party is None:
            return None
        self._begin("get", await db.run(passkeys.authentication, party[1], user_id), *party)
        return None

    @rx.event
    async def passkey_answered(self, answer: dict[str, Any]):
        """One of the user's passkeys answered (charged to the code budgets like a code): the session starts."""
        user_id = self._waiting()
        got = self._answer("get", answer)
        if not user_id or got is None:
            return None
        credential, ceremony = got
        try:
            await throttle.before_second_factor(user_id, self.router.session.client_ip)
            await perform(
                factor_actions.use_passkey,
                credential,
                ceremony["challenge"],
                ceremony["origin"],
                ceremony["rp_id"],
                user_id,
            )
        except (accounts.AccountError, throttle.Throttled) as error:
            self.passkey_error = str(error)
            return None
        return await self._signed_in(user_id, second_factor.PASSKEY)

    @rx.event
    def cancel(self):
        """Back to the login page; the awaited sign-in is forgotten."""
        self._user_id = 0
        return rx.redirect(routes.LOGIN, replace=True)


class AccountFormState(PasskeyCeremony, AuthState):
    """The login and registration forms: both end in a fresh session for the user."""

    error: str = ""
    pending: bool = False
    # What the registration page shows (signup.register_form): "form"; "email" (open sign-up for one
    # domain: the address first), or why not: "closed", "invite" (an invite link is needed), "invalid invite".
    register_status: str = "form"
    signup_domain: str = ""
    signup_sent: str = ""
    # The single sign-on providers' buttons: their labels and where they start (the backend's /_sso/<id>/start).
    sso_buttons: list[dict[str, str]] = []
    # Whether passwords sign in here (an administrator may leave single sign-on alone).
    passwords: bool = True

    @rx.event
    async def open(self):
        """Page guard of both forms: logged-in users go to their rooms; an empty instance goes to its
        setup page; others get a clean form (or, registering, the reason they cannot)."""
        self.error, self.pending = "", False
        if await self._enter_page(lists=False) is not None:
            return rx.redirect(routes.ROOMS, replace=True)
        signed_in = sessions.recent.get(self.session_token)
        if signed_in is not None and signed_in.must_enrol:  # signed in, but must enrol a second factor first
            return rx.redirect(routes.TWO_FACTOR, replace=True)
        reason = self.router.url.query_parameters.get("sso", "")
        self.error = sso.REASONS.get(reason, "") if isinstance(reason, str) else ""
        backend = self._backend()
        self.sso_buttons = [
            {"label": provider.label, "url": f"{backend}/_sso/{provider.id}/start"} for provider in sso.providers()
        ]
        self.passwords = await db.run(sso.passwords_allowed)
        status = await db.run(signup.register_form, self._invite())
        if status == "setup":
            return rx.redirect(routes.SETUP, replace=True)
        if not self.passwords and status in ("form", "email"):
            status = "sso"
        self.register_status, self.signup_sent = status, ""
        self.signup_domain = (await db.run(signup.policy)).domain if status == "email" else ""
        return None

    @rx.event
    async def request_signup(self, form: dict[str, Any]):
        """Open sign-up for one domain: mail a link that finishes the registration to the address given (after
        the answer, which is the same whether or not the address has an account)."""
        self.error, self.signup_sent = "", ""
        address = field(form, "email").strip()
        try:
            await throttle.before_signup_link(self.router.session.client_ip, address)
            link = await perform(joining.request_signup, address)
        except (accounts.AccountError, throttle.Throttled) as error:
            self.error = str(error)
            return
        self.signup_sent = f"We sent a link to {link.address}: open it to choose your username and password."

    @rx.event
    async def passkey_sign_in(self):
        """Sign in with a passkey alone: the browser offers the ones it holds for this site."""
        party = self._relying_party()
        if party is not None:
            self._begin("get", await db.run(passkeys.authentication, party[1]), *party)

    @rx.event
    async def passkey_answered(self, answer: dict[str, Any]):
        """A passkey answered: it proves the device and its user, so the session starts (no code step)."""
        got = self._answer("get", answer)
        if got is None:
            return None
        credential, ceremony = got
        try:
            await throttle.before_passkey_sign_in(self.router.session.client_ip)
            user = await perform(
                factor_actions.use_passkey, credential, ceremony["challenge"], ceremony["origin"], ceremony["rp_id"]
            )
        except (accounts.AccountError, throttle.Throttled) as error:
            self.passkey_error = str(error)
            return None
        return await self._start_session(user.id, user.username, "passkey", second_factor.PASSKEY, routes.ROOMS)

    def _invite(self) -> str:
        """The invite link's token, on the registration page opened from one."""
        invite = self.router.url.query_parameters.get("invite", "")
        return invite if isinstance(invite, str) else ""

    @rx.event
    async def login(self, form: dict[str, Any]):
        """Check the credentials and start a session."""
        attempt = self._authenticate(field(form, "username"), field(form, "password"))
        async for update in self._submit(attempt, "password"):
            yield update

    @rx.event
    async def register(self, form: dict[str, Any]):
        """Create the account, then log it in."""
        fields = [field(form, name) for name in ("username", "password", "confirm_password")]
        async for update in self._submit(self._register(*fields), "registration"):
            yield update

    async def _submit(self, attempt: Coroutine[Any, Any, accounts.UserView], sign_in: str):
        async for update in start_session_after(self, attempt, routes.ROOMS, sign_in=sign_in):
            yield update

    async def _authenticate(self, username: str, password: str) -> accounts.UserView:
        """bcrypt on its own pool, each attempt charged to the client's and the account's (or this known
        device's) budgets before it runs."""
        await db.run(sso.check_passwords_allowed)
        key = accounts.username_key(username)
        device = await db.run(devices.recognise, self.device_token, key)
        await throttle.before_login(key, self.router.session.client_ip, device)
        user = await db.run_hashing(accounts.authenticate, username, password)
        await throttle.login_succeeded(key, device)
        self.device_token = await perform(session_actions.remember_device, user.id, self.device_token)
        return user

    async def _register(self, username: str, password: str, confirm: str) -> accounts.UserView:
        """Open sign-up is charged to the client's registration budget; one through a usable invite link is
        not (signup.invite_admits: the invite is its budget)."""
        await db.run(sso.check_passwords_allowed)
        invite = self._invite()
        if not invite or not await db.run(signup.invite_admits, invite):
            await throttle.before_register(self.router.session.client_ip)
        return await perform_hashing(joining.register, username, password, confirm, invite)
