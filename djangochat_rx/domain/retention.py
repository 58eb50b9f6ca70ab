"""Retention: messages older than a number of days are deleted, with their files, reactions and thread replies.

- The instance's policy (administrators; SiteSetting RETENTION_KEY, absent: keep everything) and a room's own
  (`Room.retention_days`): an administrator sets any; a room's owner may only shorten what is in force there.
  A room's own policy, when set, is the one in force for it.
- Pinned messages are kept when the instance says so (KEEP_PINNED_KEY, "on" by default).
- A thread goes as a whole: its parent is old enough only when its latest reply is too.
- `purge` deletes one room's due messages in batches of RETENTION_BATCH, each its own short write transaction;
  their files are discarded in it (the file sweep removes the bytes), reactions, mentions, pins and follows go
  by their foreign keys, the search index by its triggers (SQLite) or with the row (PostgreSQL), and messages
  quoting a deleted one lose the quote. `Room.purged_seq` remembers how far the room's stream is gone, so
  unread counts never count what nobody can read any more (reads.py). Each purge is audited with its counts.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, func, or_, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, accounts, rooms, site_settings
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import Attachment, Message, Pin, Room, SiteSetting, utcnow

RETENTION_KEY = "retention_days"
KEEP_PINNED_KEY = "retention_keep_pinned"


class RetentionError(rooms.RoomError):
    """A retention setting that cannot be made; its text is safe to show."""


@dataclass(frozen=True)
class Policy:
    """The instance's policy: days (0: keep everything) and whether pinned messages are kept."""

    days: int
    keep_pinned: bool


@dataclass(frozen=True)
class Purged:
    """What one purge of a room removed."""

    room_id: int
    messages: int
    replies: int
    files: int


def policy(db: Session) -> Policy:
    stored = dict(
        db.exec(
            select(SiteSetting.key, SiteSetting.value).where(col(SiteSetting.key).in_((RETENTION_KEY, KEEP_PINNED_KEY)))
        ).all()
    )
    days = stored.get(RETENTION_KEY, "0")
    return Policy(int(days) if days.isdigit() else 0, stored.get(KEEP_PINNED_KEY, "on") != "off")


def _check_days(days: int, allow_none: bool) -> None:
    if not (allow_none and days == 0) and not 1 <= days <= settings.RETENTION_MAX_DAYS:
        raise RetentionError(
            f"Keep messages 1 to {settings.RETENTION_MAX_DAYS} days" + (" (0: keep everything)." if allow_none else ".")
        )


def set_policy(db: Session, actor_id: int, days: int, keep_pinned: bool) -> Policy:
    """An administrator sets the instance's policy (`days` 0: keep everything). Audited."""
    _check_days(days, allow_none=True)
    database.begin_write(db)
    administration.require_admin(db, actor_id)
    before = site_settings.store(db, actor_id, RETENTION_KEY, str(days))
    site_settings.store(db, actor_id, KEEP_PINNED_KEY, "on" if keep_pinned else "off")
    audit(db, actor_id, "retention.set", "site", f"{before} → {days} days, pinned {'kept' if keep_pinned else 'too'}")
    db.commit()
    return Policy(days, keep_pinned)


def room_days(db: Session, room_id: int) -> int:
    """The days in force for the room: its own policy, else the instance's (0: keep everything)."""
    own = db.exec(select(Room.retention_days).where(Room.id == room_id)).first()
    return own if own else policy(db).days


def set_room_policy(db: Session, user_id: int, room_id: int, days: int) -> int:
    """The room's own policy (`days` 0: the instance's): an administrator sets any; its owner may only make what
    is in force shorter (RetentionError otherwise). The days now in force. Audited."""
    _check_days(days, allow_none=True)
    instance, in_force = policy(db).days, room_days(db, room_id)
    db.rollback()
    if accounts.is_admin(db, user_id):
        database.begin_write(db)
        room = db.get(Room, room_id, with_for_update=True, populate_existing=True)
    else:
        room = rooms.owned_for_change(db, user_id, room_id)
        after = days or instance
        if in_force and (after == 0 or after > in_force):
            db.rollback()
            raise RetentionError(f"A room's owner may only shorten how long messages are kept ({in_force} days now).")
    if room is None or room.kind == access.DM:
        db.rollback()
        raise rooms.RoomNotFound()
    before = room.retention_days
    room.retention_days = days or None
    audit(db, user_id, "retention.room", f"room:{room.slug}", f"{before or 'instance'} → {days or 'instance'} days")
    db.commit()
    return days or instance


def due_rooms(db: Session) -> list[tuple[int, int]]:
    """The rooms with a policy in force, and its days."""
    instance = policy(db).days
    rows = db.exec(select(Room.id, Room.retention_days).where(col(Room.kind) != access.DM)).all()
    db.rollback()
    return [(room_id, own or instance) for room_id, own in rows if own or instance]


def purge(db: Session, room_id: int, days: int, batch: int | None = None, most: int | None = None) -> Purged:
    """Delete the room's messages (and threads) older than `days`, `batch` at a time, up to `most` messages in
    this call (RETENTION_BATCH, RETENTION_MOST_PER_RUN); audited when anything went."""
    batch, most = batch or settings.RETENTION_BATCH, most or settings.RETENTION_MOST_PER_RUN
    cutoff = utcnow() - timedelta(days=days)
    keep_pinned = policy(db).keep_pinned
    db.rollback()
    due = [
        Message.room_id == room_id,
        col(Message.thread_id).is_(None),
        col(Message.created_at) < cutoff,
        or_(col(Message.last_reply_at).is_(None), col(Message.last_reply_at) < cutoff),
    ]
    if keep_pinned:
        due.append(~exists().where(Pin.message_id == Message.id))
    messages = replies = files = 0
    while messages < most:
        database.begin_write(db)
        ids = list(db.exec(select(Message.id).where(*due).order_by(col(Message.id)).limit(batch)).all())
        if not ids:
            db.rollback()
            break
        thread = list(db.exec(select(Message.id).where(col(Message.thread_id).in_(ids))).all())
        gone = ids + thread
        highest = db.exec(select(func.max(Message.seq)).where(col(Message.id).in_(ids))).one()
        files += db.execute(
            update(Attachment)
            .where(col(Attachment.message_id).in_(gone), col(Attachment.discarded_at).is_(None))
            .values(discarded_at=utcnow())
        ).rowcount
        db.execute(update(Message).where(col(Message.quote_id).in_(gone)).values(quote_id=None))
        db.execute(delete(Message).where(col(Message.id).in_(thread)))
        db.execute(delete(Message).where(col(Message.id).in_(ids)))
        db.execute(update(Room).where(Room.id == room_id, col(Room.purged_seq) < highest).values(purged_seq=highest))
        db.commit()
        messages, replies = messages + len(ids), replies + len(thread)
    if messages:
        database.begin_write(db)
        slug = db.exec(select(Room.slug).where(Room.id == room_id)).first()
        detail = f"{messages} messages, {replies} replies, {files} files older than {days} days"
        audit(db, None, "retention.delete", f"room:{slug}", detail)
        db.commit()
    return Purged(room_id, messages, replies, files)
