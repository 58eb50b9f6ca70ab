"""When "later" is: the presets of Send later and Remind me, a chosen date-time and `/remind me tomorrow at 9`,
each read on the wall clock of the person's own time zone (availability.zone: "tomorrow at 9:00" is 09:00 there,
across daylight-saving changes), and the one check every such time passes (not past, at most LATER_MAX_DAYS ahead).
Times are stored in UTC; `shown` writes one back in the person's zone."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from djangochat_rx import settings
from djangochat_rx.domain.availability import zone

MORNING = time(9, 0)


class InvalidTime(ValueError):
    """A time that cannot be used; its text is safe to show beside the form."""


@dataclass(frozen=True)
class Spec:
    """A time as asked: after a delay, or at a clock time (`at`) `days` from today or on the next `weekday`
    (Monday = 0; never today)."""

    delay: timedelta | None = None
    days: int = 0
    weekday: int | None = None
    at: time = MORNING


# The presets the composer's and the message toolbar's menus offer, by name: (label, spec).
PRESETS: dict[str, tuple[str, Spec]] = {
    "20m": ("In 20 minutes", Spec(delay=timedelta(minutes=20))),
    "1h": ("In 1 hour", Spec(delay=timedelta(hours=1))),
    "3h": ("In 3 hours", Spec(delay=timedelta(hours=3))),
    "tomorrow": ("Tomorrow at 9:00", Spec(days=1)),
    "monday": ("Monday at 9:00", Spec(weekday=0)),
}


def resolve(spec: Spec, time_zone: str, now: datetime) -> datetime:
    """The moment (UTC) `spec` names for a person in `time_zone`, now being `now`."""
    if spec.delay is not None:
        return now + spec.delay
    place = zone(time_zone)
    today = now.astimezone(place).date()
    day = today + timedelta(days=spec.days)
    if spec.weekday is not None:
        day = today + timedelta(days=(spec.weekday - today.weekday()) % 7 or 7)
    return _wall(day, spec.at, time_zone)


def _wall(day: date, at: time, time_zone: str) -> datetime:
    """`day` at `at` on the wall clock of `time_zone`, in UTC (a time skipped by a clock change moves forward)."""
    return datetime.combine(day, at, tzinfo=zone(time_zone)).astimezone(UTC)


def preset(name: str, time_zone: str, now: datetime) -> datetime:
    """The moment of a preset (PRESETS), checked."""
    if name not in PRESETS:
        raise InvalidTime("Choose one of the times offered.")
    return checked(resolve(PRESETS[name][1], time_zone, now), now)


_PICKED = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")


def picked(value: str, time_zone: str, now: datetime) -> datetime:
    """A date-time input's value ("2026-12-09T09:00", local time in the person's zone) as a moment, checked."""
    found = _PICKED.fullmatch((value or "").strip()) if isinstance(value, str) else None
    if found is None:
        raise InvalidTime("Choose a date and a time.")
    try:
        year, month, day, hour, minute = (int(part) for part in found.groups()[:5])
        at = time(hour, minute, int(found[6] or 0))
        moment = _wall(date(year, month, day), at, time_zone)
    except ValueError:
        raise InvalidTime("Choose a date and a time.") from None
    return checked(moment, now)


def instant(value: str, now: datetime) -> datetime:
    """An ISO 8601 moment with its offset ("2026-12-09T08:00:00+00:00": when a person may be disturbed again, as
    QuietNotice offers it), checked."""
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidTime("Choose a date and a time.")
    return checked(moment.astimezone(UTC), now)


def checked(due: datetime, now: datetime) -> datetime:
    """`due` if it is after `now` and at most LATER_MAX_DAYS ahead; InvalidTime otherwise."""
    if due <= now:
        raise InvalidTime("Choose a time in the future.")
    if due > now + timedelta(days=settings.LATER_MAX_DAYS):
        raise InvalidTime(f"Choose a time at most {settings.LATER_MAX_DAYS} days ahead.")
    return due


_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600}
_UNITS |= {"d": 86400, "day": 86400, "days": 86400}
_IN = re.compile(r"in\s+(\d{1,6})\s*([a-z]+)\b\s*(.*)", re.DOTALL | re.IGNORECASE)
_TOMORROW = re.compile(r"tomorrow(?:\s+at\s+(\d{1,2})(?::(\d{2}))?\b)?\s*(.*)", re.DOTALL | re.IGNORECASE)


def spoken(text: str) -> tuple[Spec, str] | None:
    """What `/remind me ...` asks after "me": "in 10m", "in 2h", "in 3 days", "tomorrow", "tomorrow at 9" or
    "tomorrow at 9:30", then the note; None when it does not read that way."""
    text = text.strip()
    if found := _IN.fullmatch(text):
        unit = _UNITS.get(found[2].lower())
        if unit is None or int(found[1]) == 0:
            return None
        return Spec(delay=timedelta(seconds=int(found[1]) * unit)), found[3].strip()
    if found := _TOMORROW.fullmatch(text):
        hour, minute = int(found[1] or 9), int(found[2] or 0)
        if hour > 23 or minute > 59:
            return None
        return Spec(days=1, at=time(hour, minute)), found[3].strip()
    return None


def shown(due: datetime, time_zone: str) -> str:
    """A moment as its person reads it: "Tue 9 Dec 2026, 09:00" on their wall clock."""
    local = due.astimezone(zone(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def input_value(due: datetime, time_zone: str) -> str:
    """A moment as a date-time input's value in the person's zone ("2026-12-09T09:00")."""
    return due.astimezone(zone(time_zone)).strftime("%Y-%m-%dT%H:%M")
