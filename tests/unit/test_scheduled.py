"""Send later: presets in the person's zone (across a DST change), the checks at scheduling, the limits, the room
archived, deleted or left meanwhile, and exactly once when two runners race for the same due job."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from djangochat_rx import db, settings
from djangochat_rx.actions import later as later_actions
from djangochat_rx.domain import commands, members, messages, rooms, scheduled, when
from djangochat_rx.domain.events import MessageSent, ScheduledFailed
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.models import Message, ScheduledMessage, utcnow

PARIS = "Europe/Paris"


def test_tomorrow_at_nine_is_nine_on_the_persons_wall_clock_across_a_dst_change():
    # Saturday 29 March 2025, 12:00 in Paris (UTC+1); the clocks go forward that night (UTC+2 from Sunday).
    now = datetime(2025, 3, 29, 11, 0, tzinfo=UTC)
    tomorrow = when.preset("tomorrow", PARIS, now)
    assert tomorrow == datetime(2025, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert when.shown(tomorrow, PARIS) == "Sun 30 Mar 2025, 09:00"
    monday = when.preset("monday", PARIS, now)
    assert monday == datetime(2025, 3, 31, 7, 0, tzinfo=UTC)
    # The same instant in New York (still on its own DST): 09:00 there is 13:00 UTC.
    assert when.preset("tomorrow", "America/New_York", now) == datetime(2025, 3, 30, 13, 0, tzinfo=UTC)
    # Unknown zone: UTC.
    assert when.preset("tomorrow", "", now) == datetime(2025, 3, 30, 9, 0, tzinfo=UTC)
    assert when.preset("1h", PARIS, now) == now + timedelta(hours=1)


def test_monday_is_next_week_on_a_monday_and_a_chosen_time_is_local():
    monday_noon = datetime(2025, 3, 31, 10, 0, tzinfo=UTC)
    assert when.preset("monday", PARIS, monday_noon) == datetime(2025, 4, 7, 7, 0, tzinfo=UTC)
    now = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)  # Paris goes back to UTC+1 on 26 October
    assert when.picked("2025-10-26T09:00", PARIS, now) == datetime(2025, 10, 26, 8, 0, tzinfo=UTC)
    assert when.picked("2025-10-25T15:00:30", PARIS, now) == datetime(2025, 10, 25, 13, 0, 30, tzinfo=UTC)


def test_times_in_the_past_beyond_a_year_or_malformed_are_refused():
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(when.InvalidTime, match="in the future"):
        when.picked("2025-06-01T13:59", PARIS, now)  # 11:59 UTC
    with pytest.raises(when.InvalidTime, match=f"{settings.LATER_MAX_DAYS} days"):
        when.picked("2027-01-01T09:00", PARIS, now)
    for wrong in ("", "tomorrow", "2025-13-01T09:00", "2025-06-01 14:00", None):
        with pytest.raises(when.InvalidTime, match="date and a time"):
            when.picked(wrong, PARIS, now)
    with pytest.raises(when.InvalidTime):
        when.preset("someday", PARIS, now)


def _due(session: Session, job_id: int, moment: datetime) -> None:
    session.execute(update(ScheduledMessage).where(ScheduledMessage.id == job_id).values(due_at=moment))
    session.commit()


def test_a_due_message_is_sent_once_through_the_send_action(session, alice, general):
    job = later_actions.schedule_message(session, alice.id, general.id, "good *morning*", utcnow() + timedelta(hours=1))
    assert job.events == []
    assert later_actions.deliver_scheduled(session, job.value).value is False  # not due yet
    _due(session, job.value, utcnow() - timedelta(seconds=1))
    sent = later_actions.deliver_scheduled(session, job.value)
    assert sent.value is True
    [event] = sent.events
    assert isinstance(event, MessageSent) and event.message.body == "good *morning*"
    assert event.message.author == "alice" and event.room_name == "General"
    assert later_actions.deliver_scheduled(session, job.value).value is False  # done: never twice
    assert [message.body for message in messages.newest_messages(session, general.id)] == ["good *morning*"]
    assert scheduled.listing(session, alice.id, PARIS) == ([], [])


def test_slash_commands_and_bad_text_are_refused_when_scheduling(session, alice, bob, general):
    later = utcnow() + timedelta(hours=1)
    with pytest.raises(commands.CommandError, match="only a plain message"):
        scheduled.schedule(session, alice.id, general.id, "/topic Release", later)
    with pytest.raises(messages.InvalidMessage):
        scheduled.schedule(session, alice.id, general.id, "   ", later)
    with pytest.raises(messages.InvalidMessage):
        scheduled.schedule(session, alice.id, general.id, "x" * (settings.MESSAGE_MAX_CHARS + 1), later)
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    with pytest.raises(RoomNotFound):  # a private room one is not in: the stranger's answer
        scheduled.schedule(session, bob.id, secret.id, "hi", later)
    job_id = scheduled.schedule(session, alice.id, general.id, "//topic is a word", later)
    [pending], _ = scheduled.listing(session, alice.id, PARIS)
    assert (pending.id, pending.body, pending.room_name) == (job_id, "/topic is a word", "General")


def test_at_most_so_many_pending_each(session, alice, general, monkeypatch):
    monkeypatch.setattr(settings, "SCHEDULED_PER_USER", 2)
    later = utcnow() + timedelta(hours=1)
    first = scheduled.schedule(session, alice.id, general.id, "one", later)
    scheduled.schedule(session, alice.id, general.id, "two", later)
    with pytest.raises(messages.InvalidMessage, match="at most 2 scheduled"):
        scheduled.schedule(session, alice.id, general.id, "three", later)
    later_actions.cancel_scheduled(session, alice.id, first)
    scheduled.schedule(session, alice.id, general.id, "three", later)


def test_only_the_author_edits_sends_now_or_cancels(session, alice, bob, general):
    job_id = scheduled.schedule(session, alice.id, general.id, "draft", utcnow() + timedelta(hours=1))
    for attempt in (
        lambda: later_actions.edit_scheduled(session, bob.id, job_id, "mine now", utcnow() + timedelta(hours=2)),
        lambda: later_actions.cancel_scheduled(session, bob.id, job_id),
        lambda: later_actions.deliver_scheduled(session, job_id, None, bob.id),
    ):
        with pytest.raises(scheduled.ScheduledNotFound):
            attempt()
    new_time = utcnow() + timedelta(hours=2)
    assert later_actions.edit_scheduled(session, alice.id, job_id, "final", new_time).events == []
    [pending], _ = scheduled.listing(session, alice.id, PARIS)
    assert pending.body == "final" and pending.due_at == new_time.isoformat()
    sent = later_actions.deliver_scheduled(session, job_id, None, alice.id)  # Send now, before its time
    assert sent.value is True and sent.events[0].message.body == "final"
    with pytest.raises(scheduled.ScheduledNotFound):
        later_actions.cancel_scheduled(session, alice.id, job_id)


@pytest.mark.parametrize("meanwhile", ["archived", "deleted", "left"])
def test_a_room_archived_deleted_or_left_meanwhile_gets_nothing_and_the_author_is_told(
    session, alice, bob, general, meanwhile
):
    room = rooms.create_room(session, "Team", "", alice.id, private=True)
    members.invite(session, alice.id, room.id, "bob")
    job_id = scheduled.schedule(session, bob.id, room.id, "see you at 9", utcnow() + timedelta(hours=1))
    if meanwhile == "archived":
        rooms.archive_room(session, alice.id, room.id)
    elif meanwhile == "deleted":
        rooms.delete_room(session, alice.id, room.id)
    else:
        members.leave(session, bob.id, room.id)
    _due(session, job_id, utcnow() - timedelta(seconds=1))
    outcome = later_actions.deliver_scheduled(session, job_id)
    assert outcome.value is False
    [told] = outcome.events
    assert isinstance(told, ScheduledFailed) and told.username == "bob" and told.job_id == job_id
    if meanwhile == "archived":
        assert told.room_name == "Team" and "archived" in told.reason
    else:
        assert told.room_name == "" and told.reason == scheduled.GONE
    assert session.exec(select(func.count()).select_from(Message).where(Message.body == "see you at 9")).one() == 0
    pending, failed = scheduled.listing(session, bob.id, PARIS)
    assert pending == [] and [(item.id, item.reason) for item in failed] == [(job_id, told.reason)]
    assert later_actions.deliver_scheduled(session, job_id).events == []  # failed once, told once


def test_two_runners_racing_for_the_same_due_job_send_one_message(session, db_url, alice, general):
    job_id = scheduled.schedule(session, alice.id, general.id, "exactly once", utcnow() + timedelta(hours=1))
    _due(session, job_id, utcnow() - timedelta(seconds=1))
    engine = db.make_engine(db_url)
    both_ready = threading.Barrier(2, timeout=10)

    def runner() -> bool:
        with Session(engine, expire_on_commit=False) as own:
            scheduled.job(own, job_id)  # each has read it pending before either claims it
            both_ready.wait()
            return later_actions.deliver_scheduled(own, job_id).value

    try:
        with ThreadPoolExecutor(2) as pool:
            results = sorted(pool.map(lambda _: runner(), range(2)))
    finally:
        engine.dispose()
    assert results == [False, True]
    assert session.exec(select(func.count()).select_from(Message).where(Message.body == "exactly once")).one() == 1
    assert session.get(ScheduledMessage, job_id).state == scheduled.DONE


def test_a_send_that_fails_after_the_claim_leaves_the_job_pending(session, alice, general, monkeypatch):
    """The claim and the message are one transaction: a crash between them (here an error) undoes the claim."""
    job_id = scheduled.schedule(session, alice.id, general.id, "survives", utcnow() + timedelta(hours=1))
    _due(session, job_id, utcnow() - timedelta(seconds=1))

    def crash(*_args, **_kwargs):
        raise RuntimeError("killed mid-send")

    monkeypatch.setattr(messages, "store_mentions", crash)
    with pytest.raises(RuntimeError):
        later_actions.deliver_scheduled(session, job_id)
    session.rollback()
    assert session.get(ScheduledMessage, job_id).state == scheduled.PENDING
    monkeypatch.undo()
    assert later_actions.deliver_scheduled(session, job_id).value is True
    assert [message.body for message in messages.newest_messages(session, general.id)] == ["survives"]


def test_a_moment_with_its_offset_is_when_someone_is_back_and_must_be_ahead():
    now = datetime(2026, 12, 8, 22, 10, tzinfo=UTC)
    assert when.instant("2026-12-09T09:00:00+01:00", now) == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    for wrong in ("2026-12-09T09:00:00", "tomorrow", "", "2026-12-08T22:00:00+00:00"):
        with pytest.raises(when.InvalidTime):
            when.instant(wrong, now)
