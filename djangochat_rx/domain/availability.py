"""Time and attention: each person's time zone, status, do-not-disturb and working hours, and the one answer
every notification path asks — may this person be disturbed now, and if not, from when?

- **Time zone**: an IANA name (zoneinfo), detected from the browser the first time a page opens, editable on
  the account page; "" until then, read as UTC. Every local time below is in it, across daylight-saving changes.
- **Do not disturb** now, until a time (`dnd_until`); and **working hours** (`work_days`, a bit per weekday,
  Monday = 1; `work_start`..`work_end` in minutes after local midnight): outside them is quiet too. No days set:
  no schedule.
- **Quiet** (`quiet_until`): while it lasts, nothing notifies (push, email, browser notices: `hold`, asked through
  room_prefs.quiet); what waited is summarised when it ends (`quiet_over`, actions/availability.py end_quiet). The
  sender is told before sending (`quiet_in_room`).
- **Status**: an emoji and a short text beside the name until `status_until`.
"""

import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx.domain import access
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.domain.wording import counted
from djangochat_rx.models import User, UserGroup, UserGroupMember, as_utc, utcnow

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
        return cls.read(user.time_zone, user.dnd_until, user.work_days, user.work_start, user.work_end)

    @classmethod
    def read(cls, time_zone: str, dnd_until: datetime | None, work_days: int, start: int, end: int) -> "Schedule":
        """From the columns as the database gives them (SCHEDULE)."""
        return cls(time_zone, as_utc(dnd_until) if dnd_until is not None else None, work_days, start, end)


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


# --- do not disturb and working hours: set by the person -----------------------------------------------------

# The account page's and the sidebar's "Do not disturb for …" choices, in minutes (0: until tomorrow 09:00).
DND_CHOICES = (30, 60, 120, 240, 0)
DND_LONGEST = timedelta(days=31)


class InvalidDnd(ValueError):
    def __init__(self) -> None:
        super().__init__("Choose how long: 30 minutes, 1, 2 or 4 hours, or until tomorrow.")


@dataclass(frozen=True)
class AvailabilityView:
    """What the account page and the sidebar show of a person's own availability."""

    time_zone: str
    dnd_until: str  # ISO 8601 in UTC, "" when off
    work_days: int
    work_start: str  # "09:00"
    work_end: str
    quiet_until: str  # when they may be disturbed again (ISO), "" when they may now


def view(db: Session, user_id: int, now: datetime | None = None) -> AvailabilityView:
    user = db.get(User, user_id)
    schedule = Schedule.of(user)
    db.rollback()
    now = as_utc(now or utcnow())
    dnd = schedule.dnd_until if schedule.dnd_until is not None and schedule.dnd_until > now else None
    until = quiet_until(schedule, now)
    return AvailabilityView(
        schedule.time_zone,
        dnd.isoformat() if dnd else "",
        schedule.work_days,
        clock(schedule.work_start),
        clock(schedule.work_end),
        until.isoformat() if until else "",
    )


def dnd_end(minutes: int, time_zone: str, now: datetime | None = None) -> datetime:
    """When "do not disturb for `minutes`" ends; 0: tomorrow at 09:00 in the person's zone."""
    if minutes not in DND_CHOICES:
        raise InvalidDnd()
    now = as_utc(now or utcnow())
    if minutes:
        return now + timedelta(minutes=minutes)
    tomorrow = local(now, time_zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(9, 0), tzinfo=zone(time_zone)).astimezone(UTC)


def set_dnd(db: Session, user_id: int, until: datetime | None, now: datetime | None = None) -> AvailabilityView:
    """Do not disturb until `until` (None: off now)."""
    now = as_utc(now or utcnow())
    if until is not None and not (now < as_utc(until) <= now + DND_LONGEST):
        raise InvalidDnd()
    database.begin_write(db)
    user = db.get(User, user_id, with_for_update=True, populate_existing=True)
    user.dnd_until = as_utc(until) if until is not None else None
    db.commit()
    return view(db, user_id, now)


def set_work_hours(db: Session, user_id: int, days: int, start: int, end: int) -> AvailabilityView:
    """Working hours (`days` a bit per weekday, Monday = 1; 0 for none): outside them nothing notifies."""
    if not (0 <= days < 128) or not (0 <= start < end <= 1440):
        raise InvalidHours()
    database.begin_write(db)
    user = db.get(User, user_id, with_for_update=True, populate_existing=True)
    user.work_days, user.work_start, user.work_end = days, start, end
    db.commit()
    return view(db, user_id)


# --- the one gate: who may not be disturbed now --------------------------------------------------------------

HOLD_SLACK = timedelta(seconds=10)
# The columns a Schedule is read from (Schedule.read), and with the person's id first.
SCHEDULE = (User.time_zone, User.dnd_until, User.work_days, User.work_start, User.work_end)
_SCHEDULE_COLUMNS = (User.id, *SCHEDULE)


def _quiet_now(db: Session, condition: Any, now: datetime, limit: int | None = None) -> dict[int, datetime]:
    """Of the users matching `condition`, those in do not disturb or outside working hours: when each may be
    disturbed again. Only people with a schedule or a do-not-disturb are read and computed (at most `limit`)."""
    query = select(*_SCHEDULE_COLUMNS).where(condition, or_(col(User.work_days) != 0, col(User.dnd_until) > now))
    rows = db.exec(query.order_by(User.id).limit(limit) if limit else query).all()
    quiet = {}
    for user_id, *columns in rows:
        until = quiet_until(Schedule.read(*columns), now)
        if until is not None:
            quiet[user_id] = until
    return quiet


def hold(db: Session, user_ids: Iterable[int], now: datetime | None = None, in_transaction: bool = False) -> set[int]:
    """Those of `user_ids` nothing may notify now (push, email, browser notices); each is marked as having
    something waiting (`held_since`), summarised when their quiet time ends (actions/availability.py end_quiet).
    Commits, unless `in_transaction` (the caller's write transaction, a forwarding's: the mark goes in with it)."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    now = as_utc(now or utcnow())
    quiet = set(_quiet_now(db, col(User.id).in_(ids), now))
    if quiet:
        if not in_transaction:
            database.begin_write(db)
        # The message was stored moments before its notification was held: the summary counts from just before.
        since = now - HOLD_SLACK
        held = update(User).where(col(User.id).in_(sorted(quiet)), col(User.held_since).is_(None))
        db.exec(held.values(held_since=since))
        if not in_transaction:
            db.commit()
    elif not in_transaction:
        db.rollback()
    return quiet


def hold_keys(
    db: Session, username_keys: Iterable[str], now: datetime | None = None, in_transaction: bool = False
) -> set[str]:
    """`hold` by username key."""
    keys = sorted(set(username_keys))
    if not keys:
        return set()
    ids = dict(db.exec(select(User.id, User.username_key).where(col(User.username_key).in_(keys))).all())
    return {ids[user_id] for user_id in hold(db, ids, now, in_transaction)}


def quiet_ids(db: Session, user_ids: Iterable[int], now: datetime | None = None) -> dict[int, datetime]:
    """`_quiet_now` for these users, without marking anything: the email scan and what senders are told."""
    ids = sorted(set(user_ids))
    return _quiet_now(db, col(User.id).in_(ids), as_utc(now or utcnow())) if ids else {}


def summary_text(mentions: int, direct: int) -> str:
    """What the summary at the end of a quiet time says."""
    parts = [counted(mentions, "mention")] if mentions else []
    parts += [counted(direct, "direct message")] if direct else []
    return f"{' and '.join(parts)} waited while you were not to be disturbed."


def quiet_over(db: Session, now: datetime | None = None) -> list[tuple[int, str, datetime]]:
    """The people whose quiet time is over while notifications waited for them: each (id, username, since when
    things waited), their mark cleared by a conditional update — claimed once, whichever worker asks first."""
    now = as_utc(now or utcnow())
    rows = db.exec(
        select(User.id, User.username, User.held_since, *_SCHEDULE_COLUMNS[1:]).where(
            col(User.held_since).is_not(None), col(User.held_since) <= now
        )
    ).all()
    db.rollback()
    over = [
        (user_id, username, since)
        for user_id, username, since, *columns in rows
        if quiet_until(Schedule.read(*columns), now) is None
    ]
    claimed = []
    for user_id, username, since in over:
        database.begin_write(db)
        cleared = db.exec(
            update(User).where(col(User.id) == user_id, col(User.held_since) == since).values(held_since=None)
        )
        db.commit()
        if cleared.rowcount == 1:
            claimed.append((user_id, username, as_utc(since)))
    return claimed


QUIET_LISTED = 200


def quiet_in_room(db: Session, room_id: int, viewer_id: int, now: datetime | None = None) -> list[dict[str, str]]:
    """The people who may read the room (the viewer may read it too: else nobody) and may not be disturbed now —
    what a sender is told before writing to them: name, time zone, when they may be disturbed again, and the user
    groups they are in (a mention of one of them tells them too: user_groups.py). At most
    QUIET_LISTED, read among those with a do-not-disturb or working hours only."""
    now = as_utc(now or utcnow())
    if not access.can_read_id(db, viewer_id, room_id):
        db.rollback()
        return []
    condition = and_(
        access.readable(User.id, room_id), col(User.id) != viewer_id, col(User.is_active), ~col(User.is_bot)
    )
    found = _quiet_now(db, condition, now, limit=QUIET_LISTED)
    rows = db.exec(select(User.id, User.username, User.time_zone).where(col(User.id).in_(list(found)))).all()
    groups: dict[int, list[str]] = {}
    if found:
        memberships = select(UserGroupMember.user_id, UserGroup.name).join(
            UserGroup, col(UserGroup.id) == UserGroupMember.group_id
        )
        for user_id, group in db.exec(memberships.where(col(UserGroupMember.user_id).in_(list(found)))):
            groups.setdefault(user_id, []).append(group)
    db.rollback()
    people = [
        {"name": name, "zone": zone or "UTC", "until": found[uid].isoformat(), "groups": " ".join(groups.get(uid, []))}
        for uid, name, zone in rows
    ]
    return sorted(people, key=lambda person: person["name"])


# --- status: an emoji and a short text beside the name, until a chosen time ----------------------------------

STATUS_EMOJI_MAX = 16
STATUS_TEXT_MAX = 100
# How long a status stays: the account page's choices.
STATUS_CLEARS = {
    "30m": "30 minutes",
    "1h": "1 hour",
    "4h": "4 hours",
    "today": "Today",
    "week": "This week",
    "never": "Don't clear",
}


class InvalidStatus(ValueError):
    pass


def status_end(clears: str, time_zone: str, now: datetime | None = None) -> datetime | None:
    """When a status set now with this choice clears (None: never); the end of today or of this week (Sunday
    night) in the person's zone."""
    now = as_utc(now or utcnow())
    minutes = {"30m": 30, "1h": 60, "4h": 240}
    if clears in minutes:
        return now + timedelta(minutes=minutes[clears])
    if clears == "never":
        return None
    if clears not in ("today", "week"):
        raise InvalidStatus("Choose when the status clears.")
    today = local(now, time_zone).date()
    last = today if clears == "today" else today + timedelta(days=6 - today.weekday())
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=zone(time_zone)).astimezone(UTC)


def status_line(emoji: str, text: str, until: datetime | None, now: datetime | None = None) -> str:
    """A status as shown beside a name ("🌴 On holiday"); "" when none or past its time."""
    if until is not None and as_utc(until) <= as_utc(now or utcnow()):
        return ""
    return " ".join(part for part in (emoji, text) if part)


def set_status(db: Session, user_id: int, emoji: str, text: str, clears: str, now: datetime | None = None) -> str:
    """The person's status (an empty emoji and text clear it); the line others see."""
    # An emoji may be a sequence joined by zero-width joiners (👩‍💻): only those survive of the invisible characters.
    emoji = "".join(c for c in emoji or "" if c == "\u200d" or unicodedata.category(c) not in ("Cc", "Cf")).strip()
    text = " ".join(without_hidden(text or "").split())
    if len(emoji) > STATUS_EMOJI_MAX or any(character.isalnum() for character in emoji):
        raise InvalidStatus("The status emoji is one emoji, such as 🌴.")
    if len(text) > STATUS_TEXT_MAX:
        raise InvalidStatus(f"A status is at most {STATUS_TEXT_MAX} characters.")
    database.begin_write(db)
    user = db.get(User, user_id, with_for_update=True, populate_existing=True)
    until = status_end(clears, user.time_zone, now) if (emoji or text) else None
    user.status_emoji, user.status_text, user.status_until = emoji, text, until
    db.commit()
    return status_line(emoji, text, until, now)


def own_status(db: Session, user_id: int) -> tuple[str, str, str]:
    """The person's own status as the account page edits it: emoji, text, and when it clears (ISO, "" never); all
    empty when past its time."""
    user = db.get(User, user_id)
    emoji, text, until = user.status_emoji, user.status_text, user.status_until
    db.rollback()
    if not status_line(emoji, text, until):
        return "", "", ""
    return emoji, text, as_utc(until).isoformat() if until else ""
