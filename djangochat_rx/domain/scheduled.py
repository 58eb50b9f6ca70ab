"""Send later: a message its author wrote to go to a room at a chosen time (when.py), kept as a durable job row
(models.ScheduledMessage) until then. Its author lists, edits, sends now or cancels their own pending ones (another
person's id answers as no such message); when it falls due, actions/later.py sends it through the same send action
and checks as a live message, the job's claim in the same transaction as the message (`claim`): exactly once,
whichever worker finds it and whatever restart comes between. A room archived, deleted or left meanwhile: the job
fails with the reason, which its author sees (`failed` here, a notice if online).

Slash commands are refused when scheduling: a command runs at once (`/topic`, `/poll`, a hook's), so the text
scheduled is always a plain message (`//text` for one that begins with "/")."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, commands, messages, when
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.models import Room, ScheduledMessage, as_utc, utcnow

PENDING, DONE, FAILED, CANCELLED = "pending", "done", "failed", "cancelled"
# Why a due message was not sent, as its author reads it.
GONE = "Not sent: you can no longer post in this room (you left it, or it was deleted)."
# How many failed ones the Scheduled page lists, newest first.
FAILED_LISTED = 20


class ScheduledNotFound(messages.InvalidMessage):
    def __init__(self) -> None:
        super().__init__("Scheduled message not found.")


@dataclass(frozen=True)
class ScheduledView:
    """A scheduled message as its author's Scheduled page shows it: its room (name and address; "" once deleted or
    no longer readable),
    when it goes (ISO 8601 UTC, and on the author's wall clock), its text, and why it failed."""

    id: int
    room_name: str
    slug: str
    body: str
    due_at: str
    due_shown: str
    due_input: str
    state: str
    reason: str = ""


def text_to_schedule(typed: str) -> str:
    """What is scheduled of the typed text: a plain message's text (clean_body's checks); a slash command is
    refused (CommandError, InvalidMessage)."""
    request = commands.parse(typed)
    if not isinstance(request, commands.Post):
        raise commands.CommandError("A command runs at once; only a plain message can be sent later.")
    return messages.clean_body(request.text)


def _postable(db: Session, user_id: int, room_id: int) -> None:
    room = db.get(Room, room_id)
    if room is None or not access.can_read(db, user_id, room):
        db.rollback()
        raise RoomNotFound()
    if not access.can_post(db, user_id, room):
        db.rollback()
        raise messages.InvalidMessage("This room is archived; nobody can post in it.")


def schedule(db: Session, author_id: int, room_id: int, typed: str, due: datetime) -> int:
    """Keep `typed` to be sent to the room at `due` (checked by when.py): the new job's id. Only in a room the
    author may post in now, at most SCHEDULED_PER_USER pending each."""
    body = text_to_schedule(typed)
    database.begin_write(db)
    _postable(db, author_id, room_id)
    pending = db.exec(
        select(func.count())
        .select_from(ScheduledMessage)
        .where(ScheduledMessage.author_id == author_id, ScheduledMessage.state == PENDING)
    ).one()
    if pending >= settings.SCHEDULED_PER_USER:
        db.rollback()
        raise messages.InvalidMessage(
            f"You can have at most {settings.SCHEDULED_PER_USER} scheduled messages: send or cancel some first."
        )
    job = ScheduledMessage(author_id=author_id, room_id=room_id, body=body, due_at=due)
    db.add(job)
    db.commit()
    return job.id


def _own_pending(db: Session, author_id: int, job_id: int) -> ScheduledMessage:
    """The author's pending job, locked (within a writing transaction); ScheduledNotFound otherwise."""
    job = db.exec(
        select(ScheduledMessage)
        .where(ScheduledMessage.id == job_id, ScheduledMessage.author_id == author_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if job is None or job.state != PENDING:
        db.rollback()
        raise ScheduledNotFound()
    return job


def edit(db: Session, author_id: int, job_id: int, typed: str, due: datetime) -> None:
    """Change a pending scheduled message's text and time (the author's own only)."""
    body = text_to_schedule(typed)
    database.begin_write(db)
    job = _own_pending(db, author_id, job_id)
    job.body, job.due_at = body, due
    db.add(job)
    db.commit()


def cancel(db: Session, author_id: int, job_id: int) -> None:
    """Cancel a pending scheduled message (the author's own only): it is never sent."""
    database.begin_write(db)
    job = _own_pending(db, author_id, job_id)
    job.state, job.done_at = CANCELLED, utcnow()
    db.add(job)
    db.commit()


def job(db: Session, job_id: int) -> ScheduledMessage | None:
    found = db.get(ScheduledMessage, job_id)
    db.rollback()
    return found


def own_pending_job(db: Session, author_id: int, job_id: int) -> ScheduledMessage:
    """The author's pending job (read only), for Send now; ScheduledNotFound otherwise."""
    found = db.get(ScheduledMessage, job_id)
    db.rollback()
    if found is None or found.author_id != author_id or found.state != PENDING:
        raise ScheduledNotFound()
    return found


def claim(job_id: int, now: datetime, early: bool = False):
    """The claim of a due job, run by messages.post inside the send's own write transaction: the job turns done
    only if it is still pending (and due, unless `early`: its author's Send now), in that transaction; True when
    this transaction has it. A second worker's claim waits for the first's commit (SQLite's write lock; the row's
    lock on PostgreSQL) and then finds it done; a crash before the commit undoes both the claim and the message."""

    def claiming(db: Session) -> bool:
        condition = [col(ScheduledMessage.id) == job_id, col(ScheduledMessage.state) == PENDING]
        if not early:
            condition.append(col(ScheduledMessage.due_at) <= now)
        done = db.execute(update(ScheduledMessage).where(*condition).values(state=DONE, done_at=now))
        return done.rowcount == 1

    return claiming


def fail(db: Session, job_id: int, reason: str) -> bool:
    """Mark a pending job failed with its reason; False when it was not pending any more (done elsewhere)."""
    database.begin_write(db)
    failed = db.execute(
        update(ScheduledMessage)
        .where(col(ScheduledMessage.id) == job_id, col(ScheduledMessage.state) == PENDING)
        .values(state=FAILED, reason=reason[:200], done_at=utcnow())
    )
    db.commit()
    return failed.rowcount == 1


def due(db: Session, now: datetime, limit: int = 100) -> list[int]:
    """The ids of pending jobs due by `now`, the oldest first."""
    found = list(
        db.exec(
            select(ScheduledMessage.id)
            .where(ScheduledMessage.state == PENDING, col(ScheduledMessage.due_at) <= now)
            .order_by(col(ScheduledMessage.due_at), col(ScheduledMessage.id))
            .limit(limit)
        )
    )
    db.rollback()
    return found


def listing(db: Session, author_id: int, time_zone: str) -> tuple[list[ScheduledView], list[ScheduledView]]:
    """The author's pending scheduled messages (soonest first) and the latest failed ones (newest first)."""

    def rows(state: str, order, limit: int) -> list[ScheduledView]:
        found = db.exec(
            select(ScheduledMessage, Room.name, Room.slug)
            .join(
                Room,
                and_(col(Room.id) == ScheduledMessage.room_id, access.readable(author_id, Room.id)),
                isouter=True,
            )
            .where(ScheduledMessage.author_id == author_id, ScheduledMessage.state == state)
            .order_by(order, col(ScheduledMessage.id))
            .limit(limit)
        ).all()
        return [
            ScheduledView(
                job.id,
                name or "",
                slug or "",
                job.body,
                as_utc(job.due_at).isoformat(),
                when.shown(as_utc(job.due_at), time_zone),
                when.input_value(as_utc(job.due_at), time_zone),
                job.state,
                job.reason,
            )
            for job, name, slug in found
        ]

    pending = rows(PENDING, col(ScheduledMessage.due_at), settings.SCHEDULED_PER_USER)
    failed = rows(FAILED, col(ScheduledMessage.done_at).desc(), FAILED_LISTED)
    db.rollback()
    return pending, failed
