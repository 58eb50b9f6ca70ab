"""Server-side login sessions: issue, resolve, revoke. The browser holds a token; we store its hash."""

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, delete, select, update

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import accounts, second_factor
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import User, UserSession, as_utc, utcnow


@dataclass(frozen=True)
class Identity:
    """Who is acting: the only source of identity for every event handler."""

    user_id: int
    username: str
    session_id: int
    # For showing the admin area's link only: every admin action re-checks through djangochat_rx.domain.admin.
    is_admin: bool
    # A second factor is required of this person and they have none yet: the session may only enrol one
    # (state/auth.py's AuthState._identity hands it to the two-factor page alone).
    must_enrol: bool = False
    # A guest (access.py): for what the pages offer only (no lobby, no "New room"); every rule re-checks.
    is_guest: bool = False
    # Their time zone (availability.py), "" until their browser says it: a page then asks the browser once.
    time_zone: str = ""


class RecentIdentities:
    """Sessions this process resolved in the last SESSION_CACHE_SECONDS, so a busy tab's events (a message
    every second) do not each read the database. An ended session is forgotten at once: here by revoke and
    revoke_all, and on every worker by the SessionsEnded event every ending publishes; the short lifetime
    bounds what another process (the CLI) changes. Past half its lifetime an entry is `due`: the caller
    resolves it again in the background, so a busy tab never waits for the database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_hash: dict[str, tuple[float, Identity]] = {}
        # Sessions ended within the cache lifetime: a resolve that raced the ending must not bring one back.
        self._ended: dict[int, float] = {}
        self._refreshing: set[str] = set()

    def get(self, token: str) -> Identity | None:
        found = self._by_hash.get(hash_token(token)) if token else None
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def due(self, token: str) -> bool:
        """Whether the entry for `token` should be resolved again now (once: until it is put again)."""
        key = hash_token(token)
        found = self._by_hash.get(key)
        half_life = settings.SESSION_CACHE_SECONDS / 2
        with self._lock:
            if found is None or found[0] - time.monotonic() > half_life or key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def drop(self, token: str) -> None:
        """Forget `token`'s entry (resolving it again found no live session)."""
        with self._lock:
            self._by_hash.pop(hash_token(token), None)
            self._refreshing.discard(hash_token(token))

    def put(self, token: str, identity: Identity) -> None:
        with self._lock:
            self._refreshing.discard(hash_token(token))
            if self._ended.get(identity.session_id, 0) >= time.monotonic():
                return
            self._by_hash[hash_token(token)] = (time.monotonic() + settings.SESSION_CACHE_SECONDS, identity)
            if len(self._by_hash) > settings.SESSION_CACHE_MAX:
                now = time.monotonic()
                self._by_hash = {key: entry for key, entry in self._by_hash.items() if entry[0] >= now}

    def forget(self, session_ids: Iterable[int]) -> None:
        ended = set(session_ids)
        now = time.monotonic()
        with self._lock:
            self._ended = {sid: until for sid, until in self._ended.items() if until >= now}
            self._ended.update(dict.fromkeys(ended, now + settings.SESSION_CACHE_SECONDS))
            self._by_hash = {key: entry for key, entry in self._by_hash.items() if entry[1].session_id not in ended}


recent = RecentIdentities()


def issue(db: Session, user_id: int, user_agent: str = "", sign_in: str = "password", factor: str = "") -> str:
    """Create a session for `user_id` and return its fresh random token; `sign_in` says how it was opened and
    `factor` which second factor was shown (second_factor.APP, RECOVERY or "")."""
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    now = utcnow()
    database.begin_write(db)
    db.add(
        UserSession(
            user_id=user_id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + settings.SESSION_MAX_AGE,
            user_agent=user_agent[:256],
            sign_in=sign_in,
            second_factor=factor,
        )
    )
    db.commit()
    return token


def resolve(db: Session, token: str) -> Identity | None:
    """The identity behind `token`, or None if it is unknown, expired, idle too long or disabled."""
    if not token:
        return None
    row = db.exec(
        select(UserSession, User, second_factor.has_factor(User.id), second_factor.requirement_column())
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        db.rollback()
        return None
    session, user, enrolled, required = row
    now = utcnow()
    last_seen = as_utc(session.last_seen_at)
    alive = accounts.enabled(user) and _unexpired(session, now)
    identity = Identity(
        user_id=user.id,
        username=user.username,
        session_id=session.id,
        is_admin=user.is_admin,
        is_guest=user.is_guest,
        time_zone=user.time_zone,
        must_enrol=second_factor.must_enrol(required, user.is_admin, bool(enrolled)),
    )
    db.rollback()  # end the read before any write (and read the rows' values before: rollback expires them)
    if not alive:
        return None
    if now - last_seen >= settings.SESSION_TOUCH_INTERVAL:
        _touch(db, identity.session_id, now)
    return identity


def live(db: Session, session_ids: Iterable[int]) -> set[int]:
    """Of these sessions, those still valid: unexpired, not idle too long, of an active user."""
    ids, alive, now = sorted(set(session_ids)), set(), utcnow()
    for start in range(0, len(ids), 500):
        rows = db.exec(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(col(UserSession.id).in_(ids[start : start + 500]), col(User.is_active))
        ).all()
        alive |= {session.id for session, user in rows if accounts.enabled(user) and _unexpired(session, now)}
    db.rollback()
    return alive


def _unexpired(session: UserSession, now: datetime) -> bool:
    """Within both the absolute lifetime and the idle timeout."""
    return as_utc(session.expires_at) > now and as_utc(session.last_seen_at) + settings.SESSION_IDLE_TIMEOUT > now


def _touch(db: Session, session_id: int, now: datetime) -> None:
    """Record activity; best effort: a busy database must not turn a valid session away."""
    try:
        database.begin_write(db)
        db.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.commit()
    except OperationalError:
        db.rollback()


def revoke(db: Session, token: str) -> int | None:
    """Delete the session behind `token`; return its id (None if there was none)."""
    database.begin_write(db)
    session_id = db.execute(
        delete(UserSession).where(UserSession.token_hash == hash_token(token)).returning(UserSession.id)
    ).scalar()
    db.commit()
    if session_id is not None:
        recent.forget([session_id])
    return session_id


def revoke_all(db: Session, user_id: int, keep: int | None = None) -> list[int]:
    """Delete every session of a user (but the one with id `keep`); return their ids."""
    database.begin_write(db)
    ids = delete_all(db, user_id, keep)
    db.commit()
    forget(ids)
    return ids


def delete_all(db: Session, user_id: int, keep: int | None = None) -> list[int]:
    """revoke_all within the caller's write transaction: after it commits, the caller calls forget(ids)."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return list(db.execute(query.returning(UserSession.id)).scalars())


def forget(ids: list[int]) -> None:
    """This process trusts the ended sessions `ids` no longer (every worker hears SessionsEnded too)."""
    recent.forget(ids)


@dataclass(frozen=True)
class SessionView:
    """A live session as its owner sees it in the account page."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    sign_in: str = "password"
    second_factor: str = ""


def active_sessions(db: Session, user_id: int) -> list[SessionView]:
    """The user's sessions that have not expired, most recently used first."""
    now = utcnow()
    rows = db.exec(
        select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.last_seen_at.desc())
    ).all()
    return [
        SessionView(
            id=row.id,
            created_at=as_utc(row.created_at),
            last_seen_at=as_utc(row.last_seen_at),
            user_agent=row.user_agent,
            sign_in=row.sign_in,
            second_factor=row.second_factor,
        )
        for row in rows
        if _unexpired(row, now)
    ]
