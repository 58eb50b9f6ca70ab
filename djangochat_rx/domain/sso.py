"""Single sign-on with OpenID Connect providers (settings.OIDC_PROVIDERS): who a provider's person is here.

The flow (http/sso.py speaks to the provider; this module holds the rules and the rows):
- `begin`: a sign-in leaves for the provider with a random `state` (bound to the browser by a cookie's hash),
  a `nonce` and a PKCE verifier, kept in `sso_attempts` for SSO_ATTEMPT_MINUTES; `claim_attempt` takes it
  back once, from the same browser only.
- `identify`: the ID token's checked claims name a person. An existing link (provider + subject) signs them
  in; otherwise an account is linked only by an address the provider marks verified *and* the account has
  verified (ours are verified by construction); otherwise an account is made when sign-up admits them (open
  sign-up within its domain, or the provider's `allowed_domains` / `admit_groups`, which admit people even when
  sign-up is invite-only or closed). A disabled account stays out.
- `issue_ticket` / `redeem_ticket`: the provider's answer reaches our page through a one-time, two-minute
  ticket in the address, which starts the session (and the code step of a second factor). An account made by
  this sign-in (`NewAccount`) first lets its person change the username proposed from their claims, once
  (`choose_first_username`).
- `link_intent` / `link`: a signed-in person links another provider from the account page (the same round
  trip, `begin`'s `intent`), and `unlink` removes one (never the last way in).
"""

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import account_links, accounts, signup, site_settings
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import AccountLink, SiteSetting, SsoAttempt, SsoLink, User, UserSession, as_utc, utcnow

# A sign-in handed over to the page (of an account it just made: TICKET_NEW), and a link started from the
# account page (account_links' purposes).
TICKET = "sso"
TICKET_NEW = "sso-new"
LINK_INTENT = "sso-link"
# Whether people may sign in with a password ("on", the default, or "off": single sign-on only).
PASSWORDS_KEY = "password_sign_in"
PASSWORDS_OFF = "Passwords are turned off on this server: sign in with one of the buttons below."
_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class SsoError(accounts.AccountError):
    """A sign-in with a provider did not work; `reason` names it for the login page (REASONS), the text is safe
    to show and never says whether an account exists."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(REASONS[reason])


REASONS = {
    "unreachable": "The sign-in provider could not be reached. Try again in a moment.",
    "expired": "That sign-in took too long or was already used. Start again.",
    "refused": "The sign-in provider did not sign you in.",
    "invalid": "The sign-in provider's answer could not be trusted. Start again, or ask an administrator.",
    "closed": "This server has no account for you that this provider may sign in to, and sign-up is closed "
    "to you. Ask an administrator for an invite.",
    "disabled": "This account is disabled. Ask an administrator.",
    "unknown": "There is no such sign-in provider here.",
    "last": "This is your only way to sign in: set a password first (Forgot password, or ask an administrator).",
    "taken": "That account at the provider already signs in to another account here.",
}


@dataclass(frozen=True)
class NewAccount(accounts.UserView):
    """An account this sign-in made: its username is the proposal from the provider's claims, which its person
    may change once before the session starts (choose_first_username)."""


@dataclass(frozen=True)
class Provider:
    """An OIDC provider from settings.OIDC_PROVIDERS."""

    id: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    # Addresses at these domains (verified by the provider) get an account even when sign-up is closed to others.
    allowed_domains: tuple[str, ...] = ()
    # Members of these groups (the `groups_claim` claim) likewise.
    admit_groups: tuple[str, ...] = ()
    groups_claim: str = "groups"

    @property
    def name(self) -> str:
        """The provider as sentences name it: its label without "Sign in with " ("Keycloak")."""
        return self.label.removeprefix("Sign in with ")


@cache
def providers() -> tuple[Provider, ...]:
    """The configured providers, checked once (ValueError names what is wrong: the server refuses to start)."""
    raw = json.loads(settings.OIDC_PROVIDERS or "[]")
    if not isinstance(raw, list):
        raise ValueError("OIDC_PROVIDERS must be a JSON list of providers")
    found = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ValueError("each OIDC_PROVIDERS entry must be an object")
        provider = Provider(
            id=str(entry.get("id", "")),
            label=str(entry.get("label", "")) or f"Sign in with {entry.get('id', '')}",
            issuer=str(entry.get("issuer", "")).rstrip("/"),
            client_id=str(entry.get("client_id", "")),
            client_secret=str(entry.get("client_secret", "")),
            allowed_domains=tuple(str(domain).lower() for domain in entry.get("allowed_domains", ())),
            admit_groups=tuple(str(group) for group in entry.get("admit_groups", ())),
            groups_claim=str(entry.get("groups_claim", "groups")),
        )
        if not _PROVIDER_ID.match(provider.id) or not provider.issuer.startswith(("https://", "http://")):
            raise ValueError(f"OIDC_PROVIDERS: {entry.get('id')!r} needs an id (a-z, 0-9, - or _) and an issuer URL")
        if not provider.client_id:
            raise ValueError(f"OIDC_PROVIDERS: {provider.id!r} needs a client_id")
        found.append(provider)
    if len({provider.id for provider in found}) != len(found):
        raise ValueError("OIDC_PROVIDERS: two providers share an id")
    return tuple(found)


def provider(provider_id: str) -> Provider:
    """The provider with that id; SsoError("unknown") for any other."""
    found = next((known for known in providers() if known.id == provider_id), None)
    if found is None:
        raise SsoError("unknown")
    return found


@dataclass(frozen=True)
class Attempt:
    """What a sign-in carried to the provider, kept until it comes back."""

    provider: str
    nonce: str
    code_verifier: str
    # A link to this account (the account page's "Link"), not a sign-in.
    link_user_id: int | None = None


def link_intent(db: Session, user_id: int, provider_id: str) -> str:
    """A one-time token (SSO_TICKET_SECONDS) with which the person's browser starts linking `provider_id` to
    their account (begin's `intent`): the start route knows no session, so the page hands it this."""
    provider(provider_id)
    token = secrets.token_urlsafe(32)
    database.begin_write(db)
    db.add(
        AccountLink(
            user_id=user_id,
            purpose=LINK_INTENT,
            token_hash=hash_token(token),
            expires_at=utcnow() + timedelta(seconds=settings.SSO_TICKET_SECONDS),
        )
    )
    db.commit()
    return token


def begin(db: Session, provider_id: str, browser: str, intent: str = "") -> tuple[str, Attempt]:
    """A sign-in (or, with a link_intent token, a link) leaves for the provider from the browser holding the
    random `browser` cookie: its state (for the address) and what was kept. Expired attempts are dropped on the
    way; a used, expired or unknown intent is SsoError("expired")."""
    provider(provider_id)
    state = secrets.token_urlsafe(32)
    now = utcnow()
    database.begin_write(db)
    linking = _redeem_intent(db, intent, now) if intent else None
    attempt = Attempt(provider_id, secrets.token_urlsafe(32), secrets.token_urlsafe(64), linking)
    db.execute(delete(SsoAttempt).where(col(SsoAttempt.expires_at) < now))
    db.add(
        SsoAttempt(
            state_hash=hash_token(state),
            browser_hash=hash_token(browser),
            provider=provider_id,
            nonce=attempt.nonce,
            code_verifier=attempt.code_verifier,
            expires_at=now + timedelta(minutes=settings.SSO_ATTEMPT_MINUTES),
            link_user_id=linking,
        )
    )
    db.commit()
    return state, attempt


def _redeem_intent(db: Session, intent: str, now: datetime) -> int:
    """The account a link_intent token is for, used once, in time, of an active account; else the transaction
    ends with SsoError("expired")."""
    row = db.exec(
        select(AccountLink, User)
        .join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == hash_token(intent), AccountLink.purpose == LINK_INTENT)
        .where(col(AccountLink.used_at).is_(None))
        .with_for_update()
    ).first()
    if row is None or as_utc(row[0].expires_at) <= now or not accounts.enabled(row[1]):
        db.rollback()
        raise SsoError("expired")
    row[0].used_at = now
    return row[1].id


def claim_attempt(db: Session, provider_id: str, state: str, browser: str) -> Attempt:
    """Take back the sign-in that left with `state`, once, unexpired, for this provider and from the browser that
    started it; SsoError("expired") otherwise (a replayed or forged callback, or another browser's)."""
    database.begin_write(db)
    row = db.execute(
        delete(SsoAttempt)
        .where(SsoAttempt.state_hash == hash_token(state))
        .returning(
            SsoAttempt.provider,
            SsoAttempt.browser_hash,
            SsoAttempt.nonce,
            SsoAttempt.code_verifier,
            SsoAttempt.expires_at,
            SsoAttempt.link_user_id,
        )
    ).first()
    db.commit()
    if row is None:
        raise SsoError("expired")
    attempt = row._mapping
    if (
        attempt["provider"] != provider_id
        or not secrets.compare_digest(attempt["browser_hash"], hash_token(browser))
        or as_utc(attempt["expires_at"]) <= utcnow()
    ):
        raise SsoError("expired")
    return Attempt(attempt["provider"], attempt["nonce"], attempt["code_verifier"], attempt["link_user_id"])


def identify(db: Session, provider_id: str, claims: dict) -> accounts.UserView:
    """The account the provider's checked ID-token `claims` sign in to: linked before, linked now by a verified
    address, or made now when sign-up admits the person (module docstring). SsoError("closed" or "disabled")."""
    found = provider(provider_id)
    subject = str(claims.get("sub", ""))
    if not subject or len(subject) > 255:
        raise SsoError("invalid")
    email = _verified_email(claims)
    database.begin_write(db)
    linked = db.exec(
        select(User)
        .join(SsoLink, col(SsoLink.user_id) == User.id)
        .where(SsoLink.provider == provider_id, SsoLink.subject == subject)
    ).first()
    if linked is not None:
        db.execute(
            update(SsoLink)
            .where(SsoLink.provider == provider_id, SsoLink.subject == subject)
            .values(last_used_at=utcnow())
        )
        return _signed_in(db, linked)
    by_address = (
        db.exec(select(User).where(User.email_key == account_links.email_key(email))).first() if email else None
    )
    if by_address is not None:
        _link(db, by_address, found, subject, email, "by verified address")
        return _signed_in(db, by_address)
    if not _admitted(db, found, claims, email):
        db.rollback()
        raise SsoError("closed")
    user = accounts.insert_user(db, _free_username(db, claims, email), accounts.NO_PASSWORD)
    if email:
        user.email, user.email_key = email, account_links.email_key(email)
    db.flush()
    _link(db, user, found, subject, email, "new account")
    return NewAccount(**vars(_signed_in(db, user)))


def link(db: Session, provider_id: str, user_id: int, claims: dict) -> str:
    """Link the provider's account in the checked ID-token `claims` to account `user_id` (the account page's
    "Link"); the provider's name. SsoError("taken") when it signs in to another account already. Audited."""
    found = provider(provider_id)
    subject = str(claims.get("sub", ""))
    if not subject or len(subject) > 255:
        raise SsoError("invalid")
    database.begin_write(db)
    owner = db.exec(select(SsoLink.user_id).where(SsoLink.provider == provider_id, SsoLink.subject == subject)).first()
    user = db.exec(select(User).where(User.id == user_id)).one()
    if owner not in (None, user_id):
        db.rollback()
        raise SsoError("taken")
    if owner is None:
        _link(db, user, found, subject, _verified_email(claims), "from the account page")
    _signed_in(db, user)
    return found.name


def issue_ticket(db: Session, user_id: int, new: bool = False) -> str:
    """A one-time ticket that hands the sign-in to our page (SSO_TICKET_SECONDS); `new`: of an account the
    sign-in made (redeemed as a NewAccount)."""
    ticket = secrets.token_urlsafe(32)
    database.begin_write(db)
    db.add(
        AccountLink(
            user_id=user_id,
            purpose=TICKET_NEW if new else TICKET,
            token_hash=hash_token(ticket),
            expires_at=utcnow() + timedelta(seconds=settings.SSO_TICKET_SECONDS),
        )
    )
    db.commit()
    return ticket


def redeem_ticket(db: Session, ticket: str) -> tuple[accounts.UserView, str]:
    """The account a ticket signs in to (a NewAccount when the sign-in made it), once and in time, while it is
    active, and the label of the provider it came through (the account's link used last); SsoError("expired")
    otherwise."""
    database.begin_write(db)
    now = utcnow()
    row = db.exec(
        select(AccountLink, User)
        .join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == hash_token(ticket), col(AccountLink.purpose).in_((TICKET, TICKET_NEW)))
        .where(col(AccountLink.used_at).is_(None))
        .with_for_update()
    ).first()
    if row is None or as_utc(row[0].expires_at) <= now or not row[1].is_active:
        db.rollback()
        raise SsoError("expired")
    link, user = row
    link.used_at = now
    view = NewAccount(**vars(accounts.view(user))) if link.purpose == TICKET_NEW else accounts.view(user)
    used = db.exec(
        select(SsoLink.provider).where(SsoLink.user_id == user.id).order_by(col(SsoLink.last_used_at).desc())
    ).first()
    db.commit()
    names = {known.id: known.name for known in providers()}
    return view, names.get(used or "", used or "")


def choose_first_username(db: Session, user_id: int, name: str) -> accounts.UserView:
    """The person of an account single sign-on just made (its page holds the NewAccount it redeemed, once)
    replaces the proposed username; UsernameTaken or the validation's error otherwise. Refused for an account
    that is not new any more (made more than SSO_ATTEMPT_MINUTES ago) as for a taken name. Audited."""
    name = accounts.validate_username(name)
    database.begin_write(db)
    user = db.exec(select(User).where(User.id == user_id).with_for_update()).one()
    fresh = as_utc(user.created_at) > utcnow() - timedelta(minutes=settings.SSO_ATTEMPT_MINUTES)
    if not fresh or (accounts.username_key(name) != user.username_key and accounts.user_exists(db, name)):
        db.rollback()
        raise accounts.UsernameTaken(accounts.TAKEN)
    if name != user.username:
        audit(db, user.id, "user.rename", f"user:{user.username}", f"→ {name} (chosen at the first sign-in)")
        user.username, user.username_key = name, accounts.username_key(name)
    return accounts.commit_account(db, user)


@dataclass(frozen=True)
class LinkView:
    """A provider an account signs in with, as the account page lists it."""

    provider: str
    label: str
    email: str


def links_of(db: Session, user_id: int) -> list[LinkView]:
    """The providers an account is linked to, oldest first."""
    names = {known.id: known.name for known in providers()}
    rows = db.exec(
        select(SsoLink.provider, SsoLink.email).where(SsoLink.user_id == user_id).order_by(col(SsoLink.id))
    ).all()
    db.rollback()
    return [LinkView(provider_id, names.get(provider_id, provider_id), email) for provider_id, email in rows]


def unlink(db: Session, user_id: int, provider_id: str) -> None:
    """The person stops signing in with that provider, unless it is their only way in (no password, no
    other provider): SsoError("last"). Audited."""
    database.begin_write(db)
    user = db.exec(select(User).where(User.id == user_id).with_for_update()).one()
    links = db.exec(select(SsoLink).where(SsoLink.user_id == user_id)).all()
    gone = [link for link in links if link.provider == provider_id]
    if not gone:
        db.rollback()
        return
    if user.password_hash == accounts.NO_PASSWORD and len(links) == len(gone):
        db.rollback()
        raise SsoError("last")
    for link in gone:
        db.delete(link)
    audit(db, user_id, "sso.unlink", f"user:{user.username}", provider_id)
    db.commit()


def _verified_email(claims: dict) -> str:
    """The address the provider vouches for ("" when it does not say it verified it)."""
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        return ""
    try:
        return account_links.check_address(email)
    except accounts.AccountError:
        return ""


def _admitted(db: Session, found: Provider, claims: dict, email: str) -> bool:
    """Whether sign-up lets this person in with a new account: the provider's domains or groups, or open
    sign-up (within its domain, when it has one)."""
    domain = email.rpartition("@")[2].lower() if email else ""
    if domain and domain in found.allowed_domains:
        return True
    groups = claims.get(found.groups_claim)
    if isinstance(groups, list) and set(map(str, groups)) & set(found.admit_groups):
        return True
    policy = signup.policy(db)
    return policy.mode == "open" and not policy.needs_setup and (not policy.domain or domain == policy.domain)


def _free_username(db: Session, claims: dict, email: str) -> str:
    """A username from the provider's claims (preferred_username, the address's local part, the name), made
    valid and not taken."""
    for raw in (claims.get("preferred_username"), email.partition("@")[0], claims.get("name"), "member"):
        if not isinstance(raw, str):
            continue
        base = re.sub(r"[^A-Za-z0-9_.-]+", "", raw.replace(" ", "."))[:24].strip(".-")
        if not base:
            continue
        base = base.ljust(3, "_")  # "bo" → "bo_": names are 3 characters at least
        for suffix in ("", *(str(n) for n in range(2, 50)), *(secrets.token_hex(3) for _ in range(5))):
            name = f"{base}{suffix}"[:32]
            try:
                accounts.validate_username(name)
            except accounts.AccountError:
                break
            if not accounts.user_exists(db, name):
                return name
    return f"member{secrets.token_hex(4)}"


def _link(db: Session, user: User, found: Provider, subject: str, email: str, how: str) -> None:
    db.add(SsoLink(user_id=user.id, provider=found.id, subject=subject, email=email, last_used_at=utcnow()))
    audit(db, user.id, "sso.link", f"user:{user.username}", f"{found.label} ({how})")


def _signed_in(db: Session, user: User) -> accounts.UserView:
    """Commit the sign-in's rows; the account, unless it is disabled or a bot (SsoError("disabled"))."""
    if not accounts.enabled(user) or user.is_bot:
        db.rollback()
        raise SsoError("disabled")
    view = accounts.view(user)
    try:
        db.commit()
    except IntegrityError:  # the same person signing in twice at once: the other made the link
        db.rollback()
        raise SsoError("expired") from None
    return view


def provider_of_session(db: Session, token: str) -> Provider | None:
    """The provider the session behind `token` was opened through (None for any other way in): its account's
    most recently used link, when the session says single sign-on."""
    row = db.exec(
        select(UserSession.sign_in, UserSession.user_id).where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None or not row[0].startswith("single sign-on"):
        db.rollback()
        return None
    used = db.exec(
        select(SsoLink.provider).where(SsoLink.user_id == row[1]).order_by(col(SsoLink.last_used_at).desc())
    ).first()
    db.rollback()
    return next((known for known in providers() if known.id == used), None)


def passwords_allowed(db: Session) -> bool:
    """Whether people may sign in (and register, and reset) with a password here."""
    stored = db.exec(select(SiteSetting.value).where(SiteSetting.key == PASSWORDS_KEY)).first()
    db.rollback()
    return stored != "off"


def check_passwords_allowed(db: Session) -> None:
    """AccountError(PASSWORDS_OFF) when passwords do not sign in here (before any password is checked or set)."""
    if not passwords_allowed(db):
        raise accounts.AccountError(PASSWORDS_OFF)


def set_password_sign_in(db: Session, actor_id: int | None, allowed: bool) -> bool:
    """An administrator (or, with `actor_id` None, the terminal: the way back in) allows passwords or turns them
    off. Off needs a configured provider and, for an administrator, a provider they sign in with themselves
    (nobody locks themselves out from the page). Audited."""
    database.begin_write(db)
    if actor_id is not None:
        administration.require_admin(db, actor_id)
    if not allowed:
        if not providers():
            db.rollback()
            raise administration.AdminError(
                "No single sign-on provider is set up (OIDC_PROVIDERS): nobody could sign in."
            )
        if actor_id is not None and db.exec(select(SsoLink.id).where(SsoLink.user_id == actor_id)).first() is None:
            db.rollback()
            raise administration.AdminError(
                "Sign in with a provider yourself first: with passwords off you would be locked out."
            )
    chosen = "on" if allowed else "off"
    before = site_settings.store(db, actor_id, PASSWORDS_KEY, chosen, absent="on")
    if before != chosen:
        audit(db, actor_id, "signup.passwords", "site", f"{before} → {chosen}")
    db.commit()
    return allowed
