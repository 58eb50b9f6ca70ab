"""One-time links to an account: "reset" sets a new password, "verify" confirms an email address.

An administrator issues a reset link for a user (or creates an account and gets its set-your-password
link); with email configured, "Forgot password" mails one to the account's verified address. Each link
holds a random 256-bit token (we store its SHA-256), works once, expires, and issuing a new one of the
same kind voids the user's earlier ones. Using a reset link ends every session of the account.

Who holds a stolen session must not take the account by email: adding or replacing the address asks for
the current password (actions/joining.py), a mail scanner opening a check link confirms nothing (the page
asks for a click), the old address is told, and for EMAIL_CHANGE_RESET_HOLD_HOURS after a change "Forgot
password" mails no link (an administrator's link still works).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, or_, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import accounts, devices
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import AccountLink, AuditEntry, User, UserSession, as_utc, utcnow

RESET = "reset"
VERIFY = "verify"
# The audit log's entry for an address made an account's (by its check link): when it was, for the reset hold.
ADDRESS_CHANGED = "user.email_change"

# Enough to catch typos (one "@", a dotted domain, no spaces); the emailed link proves the rest.
_ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


class InvalidLink(accounts.AccountError):
    def __init__(self) -> None:
        super().__init__("This link cannot be used: it has expired or was used already. Ask for a new one.")


class InvalidEmail(accounts.AccountError):
    def __init__(self, message: str = "Enter an email address like name@example.com.") -> None:
        super().__init__(message)


class EmailInUse(accounts.AccountError):
    """Shown only to whoever opened the address's check link, i.e. who reads that mailbox."""

    def __init__(self) -> None:
        super().__init__("This address already belongs to another account here.")


@dataclass(frozen=True)
class AddressChange:
    """An address a check link made its account's, and the verified one it replaced ("" for none, or when
    the same address was confirmed again)."""

    username: str
    address: str
    previous: str


@dataclass(frozen=True)
class MailedLink:
    """A link to email: to whom, for which account, and its token."""

    address: str
    username: str
    token: str


def email_key(address: str) -> str:
    return address.strip().casefold()


def check_address(raw: str) -> str:
    """The address, trimmed, or InvalidEmail."""
    address = raw.strip()
    if len(address) > 254 or not _ADDRESS.match(address):
        raise InvalidEmail()
    return address


def _new_link(
    db: Session, user_id: int, purpose: str, lifetime: timedelta, created_by: int | None = None, email: str = ""
) -> str:
    """Add a link (in the caller's write transaction), voiding the user's unused ones of that kind; its token."""
    now = utcnow()
    db.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user_id, AccountLink.purpose == purpose, col(AccountLink.used_at).is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    db.add(
        AccountLink(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            email=email,
            created_by_id=created_by,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def _admin_lifetime() -> timedelta:
    return timedelta(hours=settings.ADMIN_RESET_LINK_HOURS)


def issue_reset(db: Session, actor_id: int, user_id: int) -> tuple[str, str]:
    """An administrator's one-time password-reset link for a user: (their username, the token)."""
    database.begin_write(db)
    administration.require_admin(db, actor_id)
    username = db.exec(select(User.username).where(User.id == user_id)).first()
    if username is None:
        db.rollback()
        raise administration.UserNotFound()
    token = _new_link(db, user_id, RESET, _admin_lifetime(), created_by=actor_id)
    audit(db, actor_id, "user.reset_link", f"user:{username}", f"valid {settings.ADMIN_RESET_LINK_HOURS} h")
    db.commit()
    return username, token


def create_account(db: Session, actor_id: int, username: str) -> tuple[accounts.UserView, str]:
    """An administrator creates an account (how people join a closed instance): it has no usable password
    until its owner opens the returned set-your-password link."""
    name = accounts.validate_username(username)
    administration.require_admin(db, actor_id)
    if accounts.user_exists(db, name):
        db.rollback()
        raise accounts.UsernameTaken(accounts.TAKEN)
    db.rollback()
    password_hash = accounts.unusable_password_hash()
    database.begin_write(db)
    administration.require_admin(db, actor_id)
    user = accounts.insert_user(db, name, password_hash)
    token = _new_link(db, user.id, RESET, _admin_lifetime(), created_by=actor_id)
    audit(db, actor_id, "user.create", f"user:{name}", "set-password link issued")
    return accounts.commit_account(db, user), token


def _valid_link(db: Session, token: str, purpose: str, lock: bool = False) -> tuple[AccountLink, User] | None:
    if not token:
        return None
    query = (
        select(AccountLink, User)
        .join(User, col(User.id) == AccountLink.user_id)
        .where(AccountLink.token_hash == hash_token(token), AccountLink.purpose == purpose)
        .execution_options(populate_existing=True)
    )
    found = db.exec(query.with_for_update(of=AccountLink) if lock else query).first()
    if found is None:
        return None
    link, user = found
    if link.used_at is not None or as_utc(link.expires_at) <= utcnow() or not user.is_active:
        return None
    return link, user


def link_username(db: Session, token: str, purpose: str) -> str | None:
    """Whose account a usable link of this kind opens (for its page to greet them), or None."""
    found = _valid_link(db, token, purpose)
    db.rollback()
    return found[1].username if found else None


def reset_password(db: Session, token: str, new: str, confirm: str) -> tuple[accounts.UserView, list[int]]:
    """Set the password through a reset link, once: the account's sessions all end (their ids are
    returned, for their sockets to close) and its browsers start over as unknown devices."""
    accounts.validate_password(new, confirm)
    if _valid_link(db, token, RESET) is None:
        db.rollback()
        raise InvalidLink()
    db.rollback()  # no transaction held open during the slow hash
    password_hash = accounts.hash_password(new)
    database.begin_write(db)
    found = _valid_link(db, token, RESET, lock=True)
    if found is None:  # used meanwhile
        db.rollback()
        raise InvalidLink()
    link, user = found
    now = utcnow()
    link.used_at = now
    user.password_hash = password_hash
    ended = list(
        db.execute(delete(UserSession).where(UserSession.user_id == user.id).returning(UserSession.id)).scalars()
    )
    devices.forget_all(db, user.id)
    how = "emailed link" if link.created_by_id is None else "administrator's link"
    audit(db, user.id, "user.password_reset", f"user:{user.username}", f"{how}, {len(ended)} sessions ended")
    db.commit()
    return accounts.view(user), ended


def _address_changed_lately(db: Session, user_id: int) -> bool:
    """Whether the user's address was added or replaced within EMAIL_CHANGE_RESET_HOLD_HOURS."""
    since = utcnow() - timedelta(hours=settings.EMAIL_CHANGE_RESET_HOLD_HOURS)
    changed = select(AuditEntry.id).where(
        AuditEntry.actor_id == user_id, AuditEntry.action == ADDRESS_CHANGED, AuditEntry.created_at > since
    )
    return db.exec(changed.limit(1)).first() is not None


def request_reset(db: Session, login: str) -> MailedLink | None:
    """A reset link to email for the active account whose username or verified address is `login`,
    or None when there is none, or when its address changed lately (the page answers the same either way)."""
    login = login.strip()
    if not login:
        return None
    user = db.exec(
        select(User).where(
            or_(User.username_key == accounts.username_key(login), User.email_key == email_key(login)),
            col(User.is_active),
            col(User.email).is_not(None),
        )
    ).first()
    if user is None or _address_changed_lately(db, user.id):
        db.rollback()
        return None
    address, username, user_id = user.email, user.username, user.id
    database.begin_write(db)
    token = _new_link(db, user_id, RESET, timedelta(minutes=settings.EMAIL_RESET_LINK_MINUTES))
    db.commit()
    return MailedLink(address, username, token)


def request_verify(db: Session, user_id: int, raw_address: str) -> MailedLink:
    """A link to email to `raw_address`: confirming it makes that address the user's (the action asks for the
    current password first)."""
    address = check_address(raw_address)
    database.begin_write(db)
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    token = _new_link(db, user_id, VERIFY, timedelta(hours=settings.VERIFY_LINK_HOURS), email=address)
    db.commit()
    return MailedLink(address, username, token)


def pending_address(db: Session, token: str) -> tuple[str, str] | None:
    """Whose account a usable check link is for and the address it confirms, for its page to ask; or None."""
    found = _valid_link(db, token, VERIFY)
    db.rollback()
    return (found[1].username, found[0].email) if found else None


def verify_email(db: Session, token: str) -> AddressChange:
    """Make the address a check link was sent to its user's (once), recorded in the audit log (when, for the
    reset hold); what it replaced, for the old address to be told."""
    database.begin_write(db)
    found = _valid_link(db, token, VERIFY, lock=True)
    if found is None:
        db.rollback()
        raise InvalidLink()
    link, user = found
    changed = user.email_key != email_key(link.email)
    change = AddressChange(user.username, link.email, (user.email or "") if changed else "")
    link.used_at = utcnow()
    user.email, user.email_key = link.email, email_key(link.email)
    if changed:
        detail = "replaced" if change.previous else "added"
        audit(db, user.id, ADDRESS_CHANGED, f"user:{user.username}", detail)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise EmailInUse() from None
    return change


def remove_email(db: Session, user_id: int) -> None:
    """Forget the user's address (and its pending checks): no more email, no emailed resets."""
    database.begin_write(db)
    db.execute(update(User).where(col(User.id) == user_id).values(email=None, email_key=None))
    db.execute(
        update(AccountLink)
        .where(AccountLink.user_id == user_id, AccountLink.purpose == VERIFY, col(AccountLink.used_at).is_(None))
        .values(used_at=utcnow())
    )
    db.commit()


def email_of(db: Session, user_id: int) -> str:
    """The user's verified address, or ""."""
    return db.exec(select(User.email).where(User.id == user_id)).first() or ""
