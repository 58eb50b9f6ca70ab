"""Remind me: on a message one may read (or a note), at a time in one's zone; fired once when due, with what the
notice says; dropped silently when the message can no longer be read; the limits; `/remind me ...` parsed."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from djangochat_rx import db, settings
from djangochat_rx.actions import later as later_actions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import commands, members, messages, reminders, rooms, when
from djangochat_rx.domain.events import ReminderDue
from djangochat_rx.models import Reminder, utcnow
from djangochat_rx.notify import push
from djangochat_rx.realtime import later_notices


def _due_now(session: Session, reminder_id: int) -> None:
    session.execute(update(Reminder).where(Reminder.id == reminder_id).values(due_at=utcnow() - timedelta(seconds=1)))
    session.commit()


def test_remind_me_parses_delays_and_tomorrow_at_a_time():
    assert commands.parse("/remind me in 10m call Ann") == commands.RemindMe(
        when.Spec(delay=timedelta(minutes=10)), "call Ann"
    )
    assert commands.parse("/remind me in 2h lunch").spec.delay == timedelta(hours=2)
    assert commands.parse("/remind me tomorrow at 9 standup") == commands.RemindMe(when.Spec(days=1), "standup")
    assert commands.parse("/remind me tomorrow at 9:30 x").spec.at == time(9, 30)
    for wrong in ("/remind me in 10m", "/remind you in 1m x", "/remind me later x", "/remind me in 0m x", "/remind"):
        with pytest.raises(commands.CommandError, match="Usage: /remind"):
            commands.parse(wrong)
    # Tomorrow at 9 for a person in Tokyo, asked at 23:30 UTC (08:30 the next day there): 09:00 the day after.
    now = datetime(2025, 3, 29, 23, 30, tzinfo=UTC)
    spec = commands.parse("/remind me tomorrow at 9 x").spec
    assert when.resolve(spec, "Asia/Tokyo", now) == datetime(2025, 3, 31, 0, 0, tzinfo=UTC)


def test_a_due_reminder_fires_once_with_a_notice_linking_to_the_message(session, alice, general):
    message = message_actions.send_message(session, alice.id, general.id, "ship **it** on Friday").value
    set_ = later_actions.remind(session, alice.id, message.id, utcnow() + timedelta(minutes=20))
    assert set_.events == []
    assert later_actions.fire_reminder(session, set_.value).value is False  # not due yet
    [pending] = reminders.pending(session, alice.id, "Europe/Paris")
    assert (pending.message_id, pending.excerpt, pending.room_name) == (message.id, "ship it on Friday", "General")
    _due_now(session, set_.value)
    fired = later_actions.fire_reminder(session, set_.value)
    [due] = fired.events
    assert fired.value is True and isinstance(due, ReminderDue)
    assert (due.username, due.message_id, due.excerpt, due.room_name) == (
        "alice",
        message.id,
        "ship it on Friday",
        "General",
    )
    shown = later_notices(due)
    assert shown["later_notice"]["href"] == f"/messages/{message.id}" and "ship it" in shown["later_notice"]["text"]
    assert shown["notice"]["title"] == "Reminder"
    assert later_actions.fire_reminder(session, set_.value).events == []  # never twice
    assert reminders.pending(session, alice.id, "") == []


def test_a_note_only_reminder_and_cancelling(session, alice, bob):
    reminder_id = later_actions.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "call Ann").value
    with pytest.raises(reminders.ReminderNotFound):
        later_actions.cancel_reminder(session, bob.id, reminder_id)  # another person's: no such reminder
    assert later_actions.cancel_reminder(session, alice.id, reminder_id).events == []
    with pytest.raises(reminders.ReminderNotFound):
        later_actions.cancel_reminder(session, alice.id, reminder_id)
    with pytest.raises(messages.InvalidMessage, match="Say what"):
        reminders.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "  ")
    noted = later_actions.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "stretch").value
    _due_now(session, noted)
    [due] = later_actions.fire_reminder(session, noted).events
    assert (due.message_id, due.note, due.room_name) == (0, "stretch", "")
    assert later_notices(due)["later_notice"]["href"] == "/reminders"


def test_a_reminder_on_a_message_one_cannot_read_is_refused_like_no_message(session, alice, bob):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    message = message_actions.send_message(session, alice.id, secret.id, "the plan").value
    for message_id in (message.id, 999_999):
        with pytest.raises(messages.MessageNotFound):
            later_actions.remind(session, bob.id, message_id, utcnow() + timedelta(hours=1))


def test_a_reminder_on_a_room_one_left_is_dropped_silently(session, alice, bob):
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    message = message_actions.send_message(session, alice.id, secret.id, "the plan").value
    reminder_id = later_actions.remind(session, bob.id, message.id, utcnow() + timedelta(hours=1)).value
    members.leave(session, bob.id, secret.id)
    [hidden] = reminders.pending(session, bob.id, "")  # the list shows nothing of the message any more
    assert (hidden.message_id, hidden.excerpt, hidden.room_name) == (0, "", "")
    _due_now(session, reminder_id)
    fired = later_actions.fire_reminder(session, reminder_id)
    assert fired.value is False and fired.events == []
    row = session.get(Reminder, reminder_id)
    assert (row.state, row.reason) == (reminders.FAILED, reminders.DROPPED)


def test_at_most_so_many_pending_reminders_each(session, alice, general, monkeypatch):
    monkeypatch.setattr(settings, "REMINDERS_PER_USER", 1)
    later_actions.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "one")
    with pytest.raises(messages.InvalidMessage, match="at most 1 reminders"):
        later_actions.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "two")


def test_two_runners_racing_for_the_same_reminder_fire_it_once(session, db_url, alice):
    reminder_id = later_actions.remind(session, alice.id, None, utcnow() + timedelta(hours=1), "once").value
    _due_now(session, reminder_id)
    engine = db.make_engine(db_url)
    both_ready = threading.Barrier(2, timeout=10)

    def runner() -> int:
        with Session(engine, expire_on_commit=False) as own:
            both_ready.wait()
            return len(later_actions.fire_reminder(own, reminder_id).events)

    try:
        with ThreadPoolExecutor(2) as pool:
            assert sorted(pool.map(lambda _: runner(), range(2))) == [0, 1]
    finally:
        engine.dispose()


def test_a_reminder_push_links_to_the_message(session, alice, general):
    message = message_actions.send_message(session, alice.id, general.id, "push me").value
    push.subscribe(
        session,
        alice.id,
        {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "k", "auth": "a"}},
    )
    due = ReminderDue("alice", alice.id, 7, message.id, "push me", "General", "")
    [delivery] = push.reminder_deliveries(session, due)
    assert '"url": "/messages/' in delivery.payload and "djangochat-reminder-7" in delivery.payload


def test_a_reminder_due_while_its_person_may_not_be_disturbed_waits_until_they_may(session, alice, general):
    from djangochat_rx.domain import availability

    message = message_actions.send_message(session, alice.id, general.id, "renew the certificate").value
    set_ = later_actions.remind(session, alice.id, message.id, utcnow() + timedelta(minutes=20))
    back = utcnow() + timedelta(hours=1)
    availability.set_dnd(session, alice.id, back)
    _due_now(session, set_.value)
    assert later_actions.fire_reminder(session, set_.value).events == []  # nothing now
    [waiting] = reminders.pending(session, alice.id, "UTC")
    assert abs((datetime.fromisoformat(waiting.due_at) - back).total_seconds()) < 1  # due again when she is back
    availability.set_dnd(session, alice.id, None)
    _due_now(session, set_.value)
    assert [type(event) for event in later_actions.fire_reminder(session, set_.value).events] == [ReminderDue]
