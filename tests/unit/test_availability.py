"""availability.py: time zones, working hours and do-not-disturb, and when a person may be disturbed again —
in their own zone, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta

import pytest

from djangochat_rx.domain import availability
from djangochat_rx.domain.availability import Schedule, quiet_until
from djangochat_rx.models import User

WEEKDAYS_9_TO_18 = dict(work_days=availability.WORKWEEK, work_start=9 * 60, work_end=18 * 60)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_no_schedule_and_no_dnd_is_never_quiet():
    assert quiet_until(Schedule(), at("2026-12-08T03:00:00+00:00")) is None


def test_inside_working_hours_in_the_persons_zone_is_not_quiet():
    ann = Schedule("Europe/Paris", **WEEKDAYS_9_TO_18)
    assert quiet_until(ann, at("2026-12-08T10:30:00+01:00")) is None  # a Tuesday, 10:30 in Paris


def test_late_evening_waits_for_the_next_morning_in_the_persons_zone():
    ann = Schedule("Europe/Paris", **WEEKDAYS_9_TO_18)
    # Tuesday 23:10 in Paris is 22:10 UTC: her next working minute is Wednesday 09:00 Paris, 08:00 UTC.
    assert quiet_until(ann, at("2026-12-08T22:10:00+00:00")) == at("2026-12-09T09:00:00+01:00")


def test_the_weekend_waits_for_monday():
    ann = Schedule("America/New_York", **WEEKDAYS_9_TO_18)
    friday_evening = at("2026-12-11T19:00:00-05:00")
    assert quiet_until(ann, friday_evening) == at("2026-12-14T09:00:00-05:00")


def test_a_morning_after_the_spring_change_keeps_local_nine():
    ann = Schedule("Europe/Paris", **WEEKDAYS_9_TO_18)
    # Clocks go forward on Sunday 29 March 2026: Friday 27 evening (UTC+1) waits for Monday 30 09:00 (UTC+2).
    found = quiet_until(ann, at("2026-03-27T20:00:00+01:00"))
    assert found == at("2026-03-30T09:00:00+02:00") and found.astimezone(availability.zone("Europe/Paris")).hour == 9


def test_a_morning_after_the_autumn_change_keeps_local_nine():
    ann = Schedule("America/New_York", **WEEKDAYS_9_TO_18)
    # New York falls back on Sunday 1 November 2026: Saturday's wait ends Monday 09:00 EST (14:00 UTC).
    assert quiet_until(ann, at("2026-10-31T12:00:00-04:00")) == at("2026-11-02T14:00:00+00:00")


def test_do_not_disturb_until_a_time_then_working_hours():
    now = at("2026-12-08T10:00:00+00:00")
    assert quiet_until(Schedule("UTC", dnd_until=now + timedelta(hours=1)), now) == now + timedelta(hours=1)
    # DND ending at 19:00 on a working day outside hours waits on until the next morning.
    late = Schedule("UTC", dnd_until=at("2026-12-08T19:00:00+00:00"), **WEEKDAYS_9_TO_18)
    assert quiet_until(late, now) == at("2026-12-09T09:00:00+00:00")
    # A DND that has ended is nothing.
    assert quiet_until(Schedule("UTC", dnd_until=now - timedelta(minutes=1)), now) is None


def test_an_unknown_zone_reads_as_utc():
    assert availability.zone("") == availability.zone("Not/AZone") == availability.zone("UTC")


def test_time_zone_is_one_of_the_list_and_detection_never_overrides_a_choice(session, alice):
    with pytest.raises(availability.InvalidZone):
        availability.set_time_zone(session, alice.id, "Mars/Olympus")
    assert availability.set_time_zone(session, alice.id, "Asia/Tokyo", only_if_unknown=True) == "Asia/Tokyo"
    assert availability.set_time_zone(session, alice.id, "Europe/Paris", only_if_unknown=True) == "Asia/Tokyo"
    assert availability.set_time_zone(session, alice.id, "Europe/Paris") == "Europe/Paris"
    session.expire_all()
    assert session.get(User, alice.id).time_zone == "Europe/Paris"


@pytest.mark.parametrize("text, minutes", [("09:00", 540), ("18:30", 1110), ("0:05", 5), ("24:00", 1440)])
def test_clock_times_read_as_minutes(text, minutes):
    assert availability.parse_minutes(text) == minutes
    assert availability.clock(minutes) == f"{minutes // 60:02d}:{minutes % 60:02d}"


@pytest.mark.parametrize("text", ["", "9", "9:5", "25:00", "10:60", "ab:cd", "-1:00"])
def test_bad_clock_times_are_refused(text):
    with pytest.raises(availability.InvalidHours):
        availability.parse_minutes(text)
