"""availability.py: time zones, working hours and do-not-disturb, and when a person may be disturbed again —
in their own zone, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta

import pytest

from djangochat_rx.domain import account_links, availability, members, room_prefs
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


# --- the gate: nothing notifies a quiet person; what waited is summed up once when the quiet time ends -----------


def quiet_for_an_hour(session, user_id):
    return availability.set_dnd(session, user_id, datetime.now(UTC) + timedelta(hours=1))


def test_a_message_mentioning_someone_in_do_not_disturb_holds_their_notice(session, alice, bob, carol, general):
    from djangochat_rx.actions import messages as message_actions

    quiet_for_an_hour(session, bob.id)
    sent = message_actions.send_message(session, alice.id, general.id, "@bob @carol standup").value
    event = message_actions.send_message(session, alice.id, general.id, "@bob again").events[0]
    assert sent.mentions == ("bob", "carol") and event.quiet == ("bob",)  # the browser notice waits
    assert room_prefs.quiet(session, general.id, {bob.id, carol.id}) == {bob.id}  # push waits
    session.expire_all()
    assert session.get(User, bob.id).held_since is not None and session.get(User, carol.id).held_since is None


def test_outside_working_hours_holds_too_but_a_room_muted_stays_muted(session, alice, bob, general):
    now = datetime.now(UTC)
    # Working hours that exclude now: a one-minute day on tomorrow's weekday only.
    tomorrow_bit = 1 << availability.local(now + timedelta(days=1), "UTC").weekday()
    availability.set_work_hours(session, bob.id, tomorrow_bit, 0, 1)
    assert room_prefs.quiet(session, general.id, {bob.id}) == {bob.id}
    availability.set_work_hours(session, bob.id, 0, 540, 1080)
    assert room_prefs.quiet(session, general.id, {bob.id}) == set()


def test_email_about_unread_mentions_waits_for_the_end_of_do_not_disturb(session, alice, bob, general):
    from djangochat_rx.actions import messages as message_actions
    from djangochat_rx.notify import notices

    account_links.verify_email(session, account_links.request_verify(session, bob.id, "bob@example.org").token)
    message_actions.send_message(session, alice.id, general.id, "@bob are you there?")
    later = datetime.now(UTC) + timedelta(minutes=30)  # past bob's 10-minute delay
    assert [notice.username for notice in notices.due(session, later)] == ["bob"]
    availability.set_dnd(session, bob.id, later + timedelta(hours=1))
    assert notices.due(session, later) == []
    assert [notice.username for notice in notices.due(session, later + timedelta(hours=2))] == ["bob"]


def test_the_end_of_a_quiet_time_sums_up_what_waited_once(session, alice, bob, general):
    from djangochat_rx.actions import availability as availability_actions
    from djangochat_rx.actions import messages as message_actions
    from djangochat_rx.domain.events import QuietEnded

    quiet_for_an_hour(session, bob.id)
    message_actions.send_message(session, alice.id, general.id, "@bob one")
    message_actions.send_message(session, alice.id, general.id, "@bob two")
    dm = members.open_direct(session, alice.id, ["bob"])
    message_actions.send_message(session, alice.id, dm.id, "psst")
    assert availability_actions.end_quiet(session).events == []  # still quiet: nothing yet
    availability.set_dnd(session, bob.id, None)
    ended = availability_actions.end_quiet(session)
    assert ended.events == [QuietEnded("bob", 2, 1)] and ended.value == 1
    assert availability_actions.end_quiet(session).events == []  # once
    assert (
        availability.summary_text(2, 1) == "2 mentions and 1 direct message waited while you were not to be disturbed."
    )


def test_two_scans_racing_claim_a_summary_once(session, alice, bob, general):
    quiet_for_an_hour(session, bob.id)
    availability.hold(session, [bob.id])
    availability.set_dnd(session, bob.id, None)
    first = availability.quiet_over(session)
    assert [row[1] for row in first] == ["bob"] and availability.quiet_over(session) == []


def test_do_not_disturb_for_a_choice_or_until_tomorrow_morning_in_the_persons_zone():
    now = at("2026-12-08T22:30:00+00:00")
    assert availability.dnd_end(60, "UTC", now) == now + timedelta(hours=1)
    assert availability.dnd_end(0, "Asia/Tokyo", now) == at("2026-12-10T09:00:00+09:00")  # 07:30 on the 9th there
    with pytest.raises(availability.InvalidDnd):
        availability.dnd_end(7, "UTC", now)


def test_a_sender_is_told_of_the_quiet_people_who_may_read_the_room_and_an_outsider_of_nobody(
    session, alice, bob, carol
):
    from djangochat_rx.domain import rooms

    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    availability.set_time_zone(session, bob.id, "Europe/Paris")
    quiet_for_an_hour(session, bob.id)
    quiet_for_an_hour(session, carol.id)  # quiet too, but not in the room
    from djangochat_rx.domain import user_groups

    user_groups.create(session, alice.id, "backend", "", "bob")
    [listed] = availability.quiet_in_room(session, secret.id, alice.id)
    assert (listed["name"], listed["zone"], listed["groups"]) == ("bob", "Europe/Paris", "backend") and listed["until"]
    assert availability.quiet_in_room(session, secret.id, bob.id) == []  # never oneself
    assert availability.quiet_in_room(session, secret.id, carol.id) == []  # an outsider hears of nobody


def test_a_status_shows_beside_the_name_until_it_clears_in_the_persons_zone(session, alice, bob):
    from djangochat_rx.domain import profiles, rooms

    now = at("2026-12-08T10:00:00+00:00")
    assert availability.status_end("1h", "UTC", now) == now + timedelta(hours=1)
    assert availability.status_end("today", "Asia/Tokyo", now) == at("2026-12-09T00:00:00+09:00")  # 19:00 there
    assert availability.status_end("week", "UTC", now) == at("2026-12-14T00:00:00+00:00")  # Tuesday: until Monday
    assert availability.status_end("never", "UTC", now) is None
    assert availability.set_status(session, bob.id, "🌴", "  On   holiday ", "never") == "🌴 On holiday"
    assert availability.set_status(session, bob.id, "👩‍💻", "", "1h") == "👩‍💻"  # a joined emoji survives whole
    for emoji, text in (("ab", "x"), ("🌴", "x" * 101)):
        with pytest.raises(availability.InvalidStatus):
            availability.set_status(session, bob.id, emoji, text, "1h")
    with pytest.raises(availability.InvalidStatus):
        availability.set_status(session, bob.id, "🌴", "x", "forever")
    private = rooms.create_room(session, "Crew", "", alice.id, True)
    members.invite(session, alice.id, private.id, "bob")
    quiet_for_an_hour(session, bob.id)
    shown = {member.username: member for member in members.members(session, alice.id, private.id)}
    assert (shown["bob"].status, shown["bob"].quiet, shown["alice"].status, shown["alice"].quiet) == (
        "👩‍💻",
        True,
        "",
        False,
    )
    profile = profiles.profile(session, alice.id, "bob")
    assert profile.status == "👩‍💻" and profile.quiet_until
    # Past its time, a status is gone everywhere.
    assert availability.status_line("🌴", "Away", now - timedelta(minutes=1), now) == ""
    availability.set_status(session, bob.id, "", "", "1h")
    assert availability.own_status(session, bob.id) == ("", "", "")
