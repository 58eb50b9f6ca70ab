"""Remind me: a person asks to be reminded of a message they can read (or, with `/remind me in 10m TEXT`, of a
note), at a time (when.py), kept as a durable job row (models.Reminder). When it falls due, actions/later.py fires
it once (`fire`: the claim and the check in one write transaction): a notice linking to the message, in-app, by
push and by email as the person's settings say. A reminder on a message whose room the person can no longer read
is dropped silently: marked failed, nothing told (the notice would reveal the message)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, availability, messages, reads, when
from djangochat_rx.domain.messages import MessageNotFound
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.models import Message, Reminder, Room, User, as_utc, utcnow

PENDING, DONE, FAILED, CANCELLED = "pending", "done", "failed", "cancelled"
DROPPED = "dropped: the message can no longer be read"
NOTE_MAX_CHARS = 200


class ReminderNotFound(messages.InvalidMessage):
    def __init__(self) -> None:
        super().__init__("Reminder not found.")


@dataclass(frozen=True)
class ReminderView:
    """A pending reminder as its person's Reminders page shows it: the message's excerpt, room and id (0 and ""
    for a note only), the note, and when (ISO 8601 UTC, and on the person's wall clock)."""

    id: int
    message_id: int
    excerpt: str
    room_name: str
    note: str
    due_at: str
    due_shown: str


@dataclass(frozen=True)
class Fired:
    """A reminder that fired: whose (`username`, `user_id`), the message it reminds of (0: a note only), the
    excerpt and room shown, the note."""

    reminder_id: int
    user_id: int
    username: str
    message_id: int
    excerpt: str
    room_name: str
    note: str


def _note(text: str) -> str:
    note = " ".join(without_hidden(text or "").split())
    if len(note) > NOTE_MAX_CHARS:
        raise messages.InvalidMessage(f"A reminder's note is at most {NOTE_MAX_CHARS} characters.")
    return note


def remind(db: Session, user_id: int, message_id: int | None, due: datetime, note: str = "") -> int:
    """Set a reminder (on a message the person may read, or a note only): its id. At most REMINDERS_PER_USER
    pending each; a message one may not read answers as no such message."""
    note = _note(note)
    if message_id is None and not note:
        raise messages.InvalidMessage("Say what to remind you of, e.g. /remind me in 10m call Ann.")
    database.begin_write(db)
    if message_id is not None:
        message = db.get(Message, message_id)
        if message is None or message.deleted_at is not None or not access.can_read_id(db, user_id, message.room_id):
            db.rollback()
            raise MessageNotFound()
    pending = db.exec(
        select(func.count()).select_from(Reminder).where(Reminder.user_id == user_id, Reminder.state == PENDING)
    ).one()
    if pending >= settings.REMINDERS_PER_USER:
        db.rollback()
        raise messages.InvalidMessage(
            f"You can have at most {settings.REMINDERS_PER_USER} reminders: cancel some first."
        )
    reminder = Reminder(user_id=user_id, message_id=message_id, note=note, due_at=due)
    db.add(reminder)
    db.commit()
    return reminder.id


def cancel(db: Session, user_id: int, reminder_id: int) -> None:
    """Cancel one's pending reminder (another person's answers as no such reminder)."""
    database.begin_write(db)
    cancelled = db.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.user_id) == user_id, col(Reminder.state) == PENDING)
        .values(state=CANCELLED, done_at=utcnow())
    )
    db.commit()
    if cancelled.rowcount != 1:
        raise ReminderNotFound()


def due(db: Session, now: datetime, limit: int = 100) -> list[int]:
    """The ids of pending reminders due by `now`, the oldest first."""
    found = list(
        db.exec(
            select(Reminder.id)
            .where(Reminder.state == PENDING, col(Reminder.due_at) <= now)
            .order_by(col(Reminder.due_at), col(Reminder.id))
            .limit(limit)
        )
    )
    db.rollback()
    return found


def fire(db: Session, reminder_id: int, now: datetime) -> Fired | None:
    """Fire a due reminder once: in one write transaction, claim it (pending and due, else None: done elsewhere)
    and check its message may still be read; then it is done and its notice is returned, or failed (dropped,
    None: nothing is told). The notice goes out after this commit (at most once: a crash after the commit loses
    that one notice, never doubles it). A person in do not disturb or outside their working hours (availability.py)
    is not reminded now: the reminder waits, pending, until they may be disturbed again."""
    database.begin_write(db)
    owner = db.exec(
        select(User).join(Reminder, col(Reminder.user_id) == User.id).where(Reminder.id == reminder_id)
    ).first()
    later = availability.quiet_until(availability.Schedule.of(owner), now) if owner is not None else None
    if later is not None:
        db.execute(
            update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.state) == PENDING, col(Reminder.due_at) <= now)
            .values(due_at=later)
        )
        db.commit()
        return None
    claimed = db.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.state) == PENDING, col(Reminder.due_at) <= now)
        .values(state=DONE, done_at=now)
    )
    if claimed.rowcount != 1:
        db.rollback()
        return None
    reminder = db.get(Reminder, reminder_id)
    username = db.exec(select(User.username).where(User.id == reminder.user_id)).one()
    excerpt, room_name, message_id = "", "", 0
    if reminder.message_id is not None:
        found = db.exec(
            select(Message, Room.name)
            .join(Room, col(Room.id) == Message.room_id)
            .where(Message.id == reminder.message_id, access.readable(reminder.user_id, Message.room_id))
        ).first()
        if found is None or found[0].deleted_at is not None:
            db.execute(update(Reminder).where(col(Reminder.id) == reminder_id).values(state=FAILED, reason=DROPPED))
            db.commit()
            return None
        message, room_name = found
        excerpt, message_id = reads.preview(message.body, False, False), message.id
    fired = Fired(reminder_id, reminder.user_id, username, message_id, excerpt, room_name, reminder.note)
    db.commit()
    return fired


def pending(db: Session, user_id: int, time_zone: str) -> list[ReminderView]:
    """The person's pending reminders, soonest first; a message they can no longer read shows nothing of itself."""
    rows = db.exec(
        select(Reminder, Message, Room.name)
        .join(Message, col(Message.id) == Reminder.message_id, isouter=True)
        .join(Room, col(Room.id) == Message.room_id, isouter=True)
        .where(Reminder.user_id == user_id, Reminder.state == PENDING)
        .order_by(col(Reminder.due_at), col(Reminder.id))
        .limit(settings.REMINDERS_PER_USER)
    ).all()
    readable = {
        room_id
        for room_id in db.exec(
            select(Room.id).where(
                col(Room.id).in_({message.room_id for _, message, _ in rows if message is not None}),
                access.readable(user_id),
            )
        )
    }
    db.rollback()
    views = []
    for reminder, message, room_name in rows:
        shown = message is not None and message.room_id in readable and message.deleted_at is None
        due_at = as_utc(reminder.due_at)
        views.append(
            ReminderView(
                reminder.id,
                message.id if shown else 0,
                reads.preview(message.body, False, False) if shown else "",
                room_name if shown else "",
                reminder.note,
                due_at.isoformat(),
                when.shown(due_at, time_zone),
            )
        )
    return views
