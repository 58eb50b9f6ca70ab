"""Send later and Remind me: scheduling, editing, cancelling, and the durable jobs' runner.

The runner (`running`, a lifespan task of every worker) looks every JOBS_SCAN_SECONDS for scheduled messages and
reminders that are due and carries each out through an action here, exactly once whichever worker finds it:
`deliver_scheduled` sends through messages.send_message, the job's claim in the send's own write transaction
(scheduled.claim); `fire_reminder` claims and checks in one (reminders.fire). Their events are published after
the commit as any other action's (the message appears live for everyone; the reminder's notice reaches its person).
"""

import contextlib
from datetime import datetime

from sqlmodel import Session

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import Outcome, perform
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import messages, reminders, scheduled
from djangochat_rx.domain.events import ReminderDue, ScheduledFailed
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.models import Room, User, utcnow


def schedule_message(db: Session, user_id: int, room_id: int, text: str, due: datetime) -> Outcome[int]:
    """Keep a message to be sent to a room at `due` (nobody hears of it until then): the job's id."""
    return Outcome(scheduled.schedule(db, user_id, room_id, text, due))


def edit_scheduled(db: Session, user_id: int, job_id: int, text: str, due: datetime) -> Outcome[None]:
    """Change one's pending scheduled message's text and time."""
    scheduled.edit(db, user_id, job_id, text, due)
    return Outcome(None)


def cancel_scheduled(db: Session, user_id: int, job_id: int) -> Outcome[None]:
    """Cancel one's pending scheduled message."""
    scheduled.cancel(db, user_id, job_id)
    return Outcome(None)


def deliver_scheduled(
    db: Session, job_id: int, now: datetime | None = None, author_id: int | None = None
) -> Outcome[bool]:
    """Send a due scheduled message (the runner), or one's own at once (`author_id`: Send now): through the send
    action and its checks, the job turning done in the same transaction as the message. A room archived,
    deleted or left meanwhile: the job fails with the reason and its author hears of it. True when sent now."""
    now = now or utcnow()
    job = scheduled.own_pending_job(db, author_id, job_id) if author_id is not None else scheduled.job(db, job_id)
    if job is None or job.state != scheduled.PENDING:
        return Outcome(False)
    claim = scheduled.claim(job_id, now, early=author_id is not None)
    try:
        if job.room_id is None:
            raise RoomNotFound()
        sent = message_actions.send_message(db, job.author_id, job.room_id, job.body, claim=claim)
    except messages.JobTaken:
        return Outcome(False)
    except (RoomNotFound, messages.InvalidMessage) as refused:
        reason = scheduled.GONE if isinstance(refused, RoomNotFound) else f"Not sent: {refused}"
        if not scheduled.fail(db, job_id, reason):
            return Outcome(False)
        author = db.get(User, job.author_id)
        room = db.get(Room, job.room_id) if job.room_id is not None else None
        known = room.name if room is not None and isinstance(refused, messages.InvalidMessage) else ""
        username = author.username if author is not None else ""
        db.rollback()
        return Outcome(False, [ScheduledFailed(username, job_id, known, reason)])
    return Outcome(True, sent.events)


def remind(db: Session, user_id: int, message_id: int | None, due: datetime, note: str = "") -> Outcome[int]:
    """Set a reminder on a message one may read (or of a note only) for `due`: its id (nobody hears of it now)."""
    return Outcome(reminders.remind(db, user_id, message_id, due, note))


def cancel_reminder(db: Session, user_id: int, reminder_id: int) -> Outcome[None]:
    """Cancel one's pending reminder."""
    reminders.cancel(db, user_id, reminder_id)
    return Outcome(None)


def fire_reminder(db: Session, reminder_id: int, now: datetime | None = None) -> Outcome[bool]:
    """Fire a due reminder once: its person's notice (in-app, and push and email by their settings). A message
    they can no longer read: dropped, nothing told. True when it fired now."""
    fired = reminders.fire(db, reminder_id, now or utcnow())
    if fired is None:
        return Outcome(False)
    due = ReminderDue(
        fired.username,
        fired.user_id,
        fired.reminder_id,
        fired.message_id,
        fired.excerpt,
        fired.room_name,
        fired.note,
    )
    return Outcome(True, [due])


async def run_due(now: datetime | None = None) -> int:
    """Carry out every scheduled message and reminder due by now (each once, whichever worker gets it first); how
    many this worker carried out."""
    now = now or utcnow()
    done = 0
    for job_id in await database.run(scheduled.due, now):
        done += bool(await perform(deliver_scheduled, job_id, now))
    for reminder_id in await database.run(reminders.due, now):
        done += bool(await perform(fire_reminder, reminder_id, now))
    return done


def running() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, run_due every JOBS_SCAN_SECONDS (a lifespan task)."""
    from djangochat_rx.infra import periodic

    return periodic.every(settings.JOBS_SCAN_SECONDS, run_due, "later")
