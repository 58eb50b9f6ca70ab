"""Time and attention (domain/availability.py): a person's time zone, status, do-not-disturb and working hours.

Setting one's time zone, do not disturb or working hours tells nobody: they change when one's own notifications
wait and what senders are told, both computed when needed. When a quiet time ends with notifications waiting,
`end_quiet` (a background scan) sums them up in one QuietEnded."""

import contextlib
from datetime import datetime

from sqlmodel import Session

from djangochat_rx import settings
from djangochat_rx.actions import Outcome, perform
from djangochat_rx.domain import availability
from djangochat_rx.domain.events import QuietEnded
from djangochat_rx.models import utcnow
from djangochat_rx.notify import notices


def set_time_zone(db: Session, user_id: int, name: str, only_if_unknown: bool = False) -> Outcome[str]:
    """The person's time zone, chosen on the account page or detected by their browser (`only_if_unknown`)."""
    return Outcome(availability.set_time_zone(db, user_id, name, only_if_unknown))


def set_dnd(db: Session, user_id: int, minutes: int) -> Outcome[availability.AvailabilityView]:
    """Do not disturb for `minutes` (one of availability.DND_CHOICES; 0: until tomorrow 09:00 in their zone)."""
    until = availability.dnd_end(minutes, availability.time_zone_of(db, user_id))
    db.rollback()
    return Outcome(availability.set_dnd(db, user_id, until))


def end_dnd(db: Session, user_id: int) -> Outcome[availability.AvailabilityView]:
    """Do not disturb off now (what waited is summed up by the next `end_quiet`)."""
    return Outcome(availability.set_dnd(db, user_id, None))


def set_work_hours(
    db: Session, user_id: int, days: int, start: str, end: str
) -> Outcome[availability.AvailabilityView]:
    """Working hours: the weekdays (a bit each, Monday = 1; 0: no schedule) and "09:00"-"18:00" in their zone."""
    start_minutes, end_minutes = availability.parse_minutes(start), availability.parse_minutes(end)
    return Outcome(availability.set_work_hours(db, user_id, days, start_minutes, end_minutes))


def end_quiet(db: Session, now: datetime | None = None) -> Outcome[int]:
    """For each person whose quiet time is over while notifications waited (`held_since`), one summary of what
    waited (QuietEnded, to their pages and browsers); claimed by a conditional update, so a summary goes out once
    however many workers scan. How many went out."""
    now = now or utcnow()
    events = []
    for user_id, username, since in availability.quiet_over(db, now):
        mentions, direct = notices.waiting(db, user_id, since, now)
        if mentions or direct:
            events.append(QuietEnded(username, mentions, direct))
    return Outcome(len(events), events)


def summarising() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, every QUIET_SCAN_SECONDS, `end_quiet` (a lifespan task)."""
    from djangochat_rx.infra import periodic

    async def scan() -> int:
        return await perform(end_quiet)

    return periodic.every(settings.QUIET_SCAN_SECONDS, scan, "quiet-ended")


def set_status(db: Session, user_id: int, emoji: str, text: str, clears: str) -> Outcome[str]:
    """The person's status: an emoji and a short text beside their name until it clears (`clears`: one of
    availability.STATUS_CLEARS); empty clears it. Others read it where they see the person next (members, profile)."""
    return Outcome(availability.set_status(db, user_id, emoji, text, clears))
