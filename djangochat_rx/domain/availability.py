"""Time and attention: each person's time zone, status, do-not-disturb and working hours, and the one answer
every notification path asks — may this person be disturbed now, and if not, from when?

- **Time zone**: an IANA name (zoneinfo), detected from the browser the first time a page opens, editable on
  the account page; "" until then, read as UTC. Every local time below is in it, across daylight-saving changes.
- **Do not disturb** now, until a time (`dnd_until`); and **working hours** (`work_days`, a bit per weekday,
  Monday = 1; `work_start`..`work_end` in minutes after local midnight): outside them is quiet too. No days set:
  no schedule.
- **Quiet** (`quiet_until`): while it lasts, nothing notifies (push, email, browser notices); what waited is
  summarised when it ends (notify/attention.py). The sender is told before sending (`reachable_at`).
- **Status**: an emoji and a short text beside the name until `status_until`.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlmodel import Session

from djangochat_rx import db as database
from djangochat_rx.models import User, as_utc, utcnow

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WORKWEEK = 0b0011111  # Monday to Friday
# Looking for the next working minute stops after two weeks of days (a schedule has at least one day).
_LOOKAHEAD_DAYS = 15


class InvalidZone(ValueError):
    def __init__(self) -> None:
        super().__init__("Choose a time zone from the list, such as Europe/Paris.")


class InvalidHours(ValueError):
    def __init__(self) -> None:
        super().__init__("Working hours need a start before their end, such as 09:00 to 18:00.")


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this Python knows (tzdata), sorted; the account page's choices."""
    return tuple(sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC"))


def valid_zone(name: str) -> str:
    name = (name or "").strip()
    if name not in set(zone_names()):
        raise InvalidZone()
    return name


@cache
def zone(name: str) -> ZoneInfo:
    """The zone of this name; UTC for "" or a name this Python no longer knows."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Schedule:
    """What decides whether a person may be disturbed: a plain copy of their row's columns."""

    time_zone: str = ""
    dnd_until: datetime | None = None
    work_days: int = 0
    work_start: int = 540
    work_end: int = 1080

    @classmethod
    def of(cls, user: User) -> "Schedule":
        until = as_utc(user.dnd_until) if user.dnd_until is not None else None
        return cls(user.time_zone, until, user.work_days, user.work_start, user.work_end)


def local(moment: datetime, time_zone: str) -> datetime:
    """`moment` on the wall clock of `time_zone`."""
    return as_utc(moment).astimezone(zone(time_zone))


def _working(schedule: Schedule, moment: datetime) -> bool:
    if not schedule.work_days:
        return True
    there = local(moment, schedule.time_zone)
    minute = there.hour * 60 + there.minute
    return bool(schedule.work_days >> there.weekday() & 1) and schedule.work_start <= minute < schedule.work_end


def _next_work_start(schedule: Schedule, moment: datetime) -> datetime:
    """The first moment at or after `moment` inside working hours (`moment` itself when it is)."""
    if _working(schedule, moment):
        return moment
    tz = zone(schedule.time_zone)
    today: date = local(moment, schedule.time_zone).date()
    start = time(schedule.work_start // 60, schedule.work_start % 60)
    for offset in range(_LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if not schedule.work_days >> day.weekday() & 1:
            continue
        # A start that falls in a spring-forward gap (02:30 that never happens) resolves to the clock after it.
        candidate = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
        if candidate >= moment:
            return candidate
    return moment


def quiet_until(schedule: Schedule, now: datetime | None = None) -> datetime | None:
    """When this person may be disturbed again: None when they may be now; else the end of their
    do-not-disturb, or the start of their next working hours, whichever comes later."""
    now = as_utc(now or utcnow())
    moment = now
    if schedule.dnd_until is not None and schedule.dnd_until > moment:
        moment = schedule.dnd_until
    moment = _next_work_start(schedule, moment)
    return None if moment <= now else moment


def is_quiet(user: User, now: datetime | None = None) -> bool:
    return quiet_until(Schedule.of(user), now) is not None


def time_zone_of(db: Session, user_id: int) -> str:
    return db.get(User, user_id).time_zone


def set_time_zone(db: Session, user_id: int, name: str, only_if_unknown: bool = False) -> str:
    """Store the person's time zone (InvalidZone for a name not in the list); `only_if_unknown`: the browser's
    detection, which never overrides one already set. The zone now stored."""
    name = valid_zone(name)
    database.begin_write(db)
    user = db.get(User, user_id, with_for_update=True, populate_existing=True)
    if not (only_if_unknown and user.time_zone):
        user.time_zone = name
    stored = user.time_zone
    db.commit()
    return stored


def parse_minutes(text: str) -> int:
    """ "09:30" as minutes after midnight (InvalidHours otherwise); "24:00" is the end of the day."""
    hours, _, minutes = (text or "").strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise InvalidHours()
    value = int(hours) * 60 + int(minutes)
    if not (0 <= value <= 1440 and int(minutes) < 60):
        raise InvalidHours()
    return value


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
