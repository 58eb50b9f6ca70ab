"""Media tickets: how a tab's plain HTTP requests for files prove its session. The session token lives in
the browser's localStorage, so an upload carries the tab's "upload" ticket in a header and an <img> the "view"
ticket in a cookie: random, stored as their SHA-256, single purpose, ended with their session."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.models import MediaTicket, UserSession, as_utc, utcnow

VIEW, UPLOAD = "view", "upload"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ticket(db: Session, session_id: int, purpose: str, current: str = "", now: datetime | None = None) -> str:
    """The tab's ticket for `purpose` ("view" or "upload"): `current` if it is still this session's and
    has more than half its life left, else a new one (32 random bytes; we store only its SHA-256)."""
    now = now or utcnow()
    life = timedelta(hours=settings.MEDIA_TICKET_HOURS)
    if current:
        expires = db.exec(
            select(MediaTicket.expires_at).where(
                MediaTicket.token_hash == _hash(current),
                MediaTicket.session_id == session_id,
                MediaTicket.purpose == purpose,
            )
        ).first()
        db.rollback()
        if expires is not None and as_utc(expires) - now > life / 2:
            return current
    token = secrets.token_urlsafe(32)
    database.begin_write(db)
    db.add(MediaTicket(session_id=session_id, purpose=purpose, token_hash=_hash(token), expires_at=now + life))
    db.commit()
    return token


def tickets(db: Session, session_id: int, view: str = "", upload: str = "") -> tuple[str, str]:
    """A tab's view and upload tickets (the ones it holds, while good; else new ones)."""
    return ticket(db, session_id, VIEW, view), ticket(db, session_id, UPLOAD, upload)


def ticket_user(db: Session, token: str, purpose: str, now: datetime | None = None) -> int | None:
    """The user behind a live ticket for `purpose` (its session still live, its user active); else None."""
    from djangochat_rx.domain import sessions

    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    now = now or utcnow()
    row = db.exec(
        select(MediaTicket.expires_at, UserSession.id, UserSession.user_id)
        .join(UserSession, col(UserSession.id) == MediaTicket.session_id)
        .where(MediaTicket.token_hash == _hash(token), MediaTicket.purpose == purpose)
    ).first()
    db.rollback()
    if row is None or as_utc(row[0]) <= now:
        return None
    _, session_id, user_id = row
    return user_id if session_id in sessions.live(db, [session_id]) else None
