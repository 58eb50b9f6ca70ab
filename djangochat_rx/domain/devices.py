"""Known devices (OWASP's "device cookies"): a browser that logged in to an account keeps a random token,
and its login attempts count against a budget of their own (throttle.before_login). An attacker's wrong
guesses lock the account for every other client, but not for the browsers its owner already uses.

A token is 256 random bits; the database keeps its SHA-256 and an expiry. A password change or a
disabled account forgets every device of the user."""

import secrets
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import KnownDevice, User, utcnow


def recognise(db: Session, token: str, username_key: str) -> str | None:
    """The key of the login budget for this browser's device `token`, if it is a live device of the
    account named `username_key`; None otherwise (unknown, expired, or another account's)."""
    if not token:
        return None
    found = db.exec(
        select(KnownDevice.id)
        .join(User, col(User.id) == KnownDevice.user_id)
        .where(KnownDevice.token_hash == hash_token(token), User.username_key == username_key)
        .where(KnownDevice.expires_at > utcnow())
    ).first()
    db.rollback()
    return f"device:{found}" if found is not None else None


def remember(db: Session, user_id: int, token: str) -> str:
    """After a successful login: the browser's device token for `user_id` (`token` when it is one of the
    user's live devices, else a fresh one). The user keeps at most KNOWN_DEVICES_PER_USER, newest first."""
    now = utcnow()
    database.begin_write(db)
    if token:
        mine = (KnownDevice.token_hash == hash_token(token), KnownDevice.user_id == user_id)
        known = db.exec(select(KnownDevice.id).where(*mine, KnownDevice.expires_at > now)).first()
        if known is not None:
            db.rollback()
            return token
    token = secrets.token_urlsafe(32)
    db.add(
        KnownDevice(
            user_id=user_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(days=settings.KNOWN_DEVICE_DAYS),
        )
    )
    db.flush()
    kept = (
        select(KnownDevice.id)
        .where(KnownDevice.user_id == user_id, KnownDevice.expires_at > now)
        .order_by(col(KnownDevice.id).desc())
        .limit(settings.KNOWN_DEVICES_PER_USER)
    )
    db.execute(delete(KnownDevice).where(KnownDevice.user_id == user_id, col(KnownDevice.id).not_in(kept)))
    db.commit()
    return token


def forget_all(db: Session, user_id: int) -> None:
    """Forget every device of the user (inside the caller's write transaction)."""
    db.execute(delete(KnownDevice).where(KnownDevice.user_id == user_id))
