"""API tokens: how a script or a bot acts as an account through the REST API (api.py).

A token belongs to one account and acts as it, under the same access rules as its person, within its
scopes: "read" (rooms, messages, search) and "post" (post, edit and delete one's own, react). Anyone
makes tokens for their own account on the account page; an administrator also for any account, or for a
new bot account made with it (marked as a bot everywhere). A token is random (256 bits), shown once,
stored as its SHA-256, expires (API_TOKEN_DAYS by default, at most API_TOKEN_MAX_DAYS), is revocable
and records when it was last used; a disabled account's tokens stop working. Making and revoking one is
in the audit log. Making one asks for the maker's current password (actions/api_tokens.py), an account holds at
most API_TOKENS_PER_USER live ones, and recovering an account (a password change, a reset link, "log out
everywhere") revokes them all: a stolen session or a leaked token does not outlive its owner's recovery.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import accounts
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import ApiToken, User, as_utc, utcnow

SCOPES = ("read", "post")
# Tokens say what they are, so a leaked one is recognisable (secret scanners, logs).
PREFIX = "dcrx_"
# How often a token's "last used" time is written at most (a read-only call then writes nothing).
TOUCH_INTERVAL = timedelta(minutes=1)


class TokenError(Exception):
    """A token that cannot be made or used as asked; the message is safe to show."""


class NotAuthenticated(TokenError):
    """No token, or an unknown, expired or revoked one, or one of a disabled account: the same answer."""

    def __init__(self) -> None:
        super().__init__("A valid API token is needed (Authorization: Bearer <token>).")


class MissingScope(TokenError):
    def __init__(self, scope: str) -> None:
        super().__init__(f'This token lacks the "{scope}" scope.')


class TokenNotFound(TokenError):
    def __init__(self) -> None:
        super().__init__("No such token.")


class TooManyTokens(TokenError):
    def __init__(self) -> None:
        super().__init__(
            f"An account holds at most {settings.API_TOKENS_PER_USER} live tokens: revoke one it no longer needs first."
        )


@dataclass(frozen=True)
class TokenView:
    """A token as its owner and the administrators see it (never the token itself); times ISO 8601 UTC."""

    id: int
    name: str
    username: str
    scopes: tuple[str, ...]
    created_at: str
    expires_at: str
    last_used_at: str
    revoked: bool
    expired: bool


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: the token's account and what it may do."""

    token_id: int
    user_id: int
    username: str
    scopes: tuple[str, ...]

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise MissingScope(scope)


def _scopes(chosen: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    scopes = tuple(scope for scope in SCOPES if scope in chosen)
    if not scopes or len(set(chosen) - set(SCOPES)) > 0:
        raise TokenError('Choose the token\'s scopes: "read", "post" or both.')
    return scopes


def _days(days: int | str) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenError(f"A token lasts from 1 to {settings.API_TOKEN_MAX_DAYS} days.")
    return days


def checked_form(name: str, scopes: list[str] | tuple[str, ...], days: int | str) -> tuple[str, tuple[str, ...], int]:
    """A new token's name, scopes and lifetime, cleaned, or TokenError saying what to fix."""
    name = " ".join(name.split())[:64]
    if not name:
        raise TokenError("Give the token a name (what will use it).")
    return name, _scopes(scopes), _days(days)


def _view(token: ApiToken, username: str) -> TokenView:
    used = as_utc(token.last_used_at).isoformat() if token.last_used_at else ""
    return TokenView(
        token.id,
        token.name,
        username,
        tuple(token.scopes.split()),
        as_utc(token.created_at).isoformat(),
        as_utc(token.expires_at).isoformat(),
        used,
        token.revoked_at is not None,
        as_utc(token.expires_at) <= utcnow(),
    )


def _active_user(db: Session, username: str) -> User:
    user = db.exec(
        select(User).where(User.username_key == accounts.username_key(username), col(User.is_active))
    ).first()
    if user is None:
        db.rollback()
        raise TokenError("There is no active account with that name.")
    return user


def create(
    db: Session,
    actor_id: int,
    name: str,
    scopes: list[str] | tuple[str, ...],
    days: int | str = settings.API_TOKEN_DAYS,
    for_username: str = "",
    new_bot: bool = False,
) -> tuple[TokenView, str]:
    """A new token and its secret (shown once): for the actor's own account, or (administrators only) for
    the account `for_username`, or for a new bot account of that name."""
    name, scopes, days = checked_form(name, scopes, days)
    for_username = for_username.strip()
    elsewhere = bool(for_username) or new_bot
    if elsewhere:
        administration.require_admin(db, actor_id)
    bot_name = ""
    if new_bot:
        bot_name = accounts.validate_username(for_username)
        if accounts.user_exists(db, bot_name):
            db.rollback()
            raise accounts.UsernameTaken(accounts.TAKEN)
    db.rollback()
    password_hash = accounts.unusable_password_hash() if new_bot else ""
    token = PREFIX + secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    database.begin_write(db)
    if elsewhere:
        administration.require_admin(db, actor_id)
    if new_bot:
        owner = accounts.insert_user(db, bot_name, password_hash, is_bot=True)
    elif for_username:
        owner = _active_user(db, for_username)
    else:
        owner = db.get(User, actor_id)
    if _live_count(db, owner.id) >= settings.API_TOKENS_PER_USER:
        db.rollback()
        raise TooManyTokens()
    row = ApiToken(
        user_id=owner.id,
        name=name,
        token_hash=hash_token(token),
        scopes=" ".join(scopes),
        created_by_id=actor_id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(row)
    db.flush()
    detail = f"“{name}” ({' '.join(scopes)}, {days} days)" + (" for a new bot account" if new_bot else "")
    audit(db, actor_id, "api_token.create", f"user:{owner.username}", detail)
    view = _view(row, owner.username)
    db.commit()
    return view, token


def _live(user_id: int) -> ColumnElement[bool]:
    """The user's tokens that still work: neither revoked nor expired."""
    return and_(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None), col(ApiToken.expires_at) > utcnow())


def _live_count(db: Session, user_id: int) -> int:
    """How many live tokens the user holds, in the caller's write transaction with the user's row locked (on
    SQLite the write lock does it), so two makers racing for the last place cannot both pass."""
    db.exec(select(User.id).where(User.id == user_id).with_for_update()).one()
    return db.exec(select(func.count()).select_from(ApiToken).where(_live(user_id))).one()


def listed(db: Session, actor_id: int, everyone: bool = False) -> list[TokenView]:
    """The actor's own tokens, newest first; with `everyone` (administrators only) every account's."""
    query = select(ApiToken, User.username).join(User, col(User.id) == ApiToken.user_id)
    if everyone:
        administration.require_admin(db, actor_id)
    else:
        query = query.where(ApiToken.user_id == actor_id)
    rows = db.exec(query.order_by(col(ApiToken.id).desc()).limit(500)).all()
    views = [_view(token, username) for token, username in rows]
    db.rollback()
    return views


def revoke(db: Session, actor_id: int, token_id: int) -> TokenView:
    """Revoke a token of the actor's own (or any, for an administrator); TokenNotFound otherwise."""
    database.begin_write(db)
    row = db.exec(
        select(ApiToken, User.username).join(User, col(User.id) == ApiToken.user_id).where(ApiToken.id == token_id)
    ).first()
    if row is None or (row[0].user_id != actor_id and not accounts.is_admin(db, actor_id)):
        db.rollback()
        raise TokenNotFound()
    token, username = row
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(db, actor_id, "api_token.revoke", f"user:{username}", f"“{token.name}”")
    view = _view(token, username)
    db.commit()
    return view


def authenticate(db: Session, token: str) -> Caller:
    """The caller behind a token; NotAuthenticated for an unknown, revoked or expired token or a disabled
    account (one answer for all). Records the use, at most once a TOUCH_INTERVAL."""
    row = (
        db.exec(
            select(ApiToken, User)
            .join(User, col(User.id) == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_token(token))
        ).first()
        if token
        else None
    )
    now = utcnow()
    if row is None:
        db.rollback()
        raise NotAuthenticated()
    found, user = row
    alive = found.revoked_at is None and as_utc(found.expires_at) > now and user.is_active
    caller = Caller(found.id, user.id, user.username, tuple(found.scopes.split()))
    stale = found.last_used_at is None or now - as_utc(found.last_used_at) >= TOUCH_INTERVAL
    db.rollback()
    if not alive:
        raise NotAuthenticated()
    if stale:
        database.begin_write(db)
        db.execute(update(ApiToken).where(col(ApiToken.id) == caller.token_id).values(last_used_at=now))
        db.commit()
    return caller


def revoke_all(db: Session, user_id: int, why: str) -> int:
    """Revoke every live token of the user (recovering the account: `why` goes in the audit log); how many.
    They stay listed, as revoked, so their owner sees which ones to make again."""
    database.begin_write(db)
    revoked = revoke_all_within(db, user_id, why)
    db.commit()
    return revoked


def revoke_all_within(db: Session, user_id: int, why: str) -> int:
    """revoke_all within the caller's write transaction."""
    revoked = db.execute(update(ApiToken).where(_live(user_id)).values(revoked_at=utcnow())).rowcount
    if revoked:
        username = db.exec(select(User.username).where(User.id == user_id)).one()
        audit(db, user_id, "api_token.revoke_all", f"user:{username}", f"{revoked} tokens, {why}")
    return revoked
