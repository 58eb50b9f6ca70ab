"""Pins: any member pins a message in its room; the panel lists them newest first; the rules, the events."""

import pytest

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import members, messages, pins, rooms
from djangochat_rx.domain.events import PinsChanged, from_wire, to_wire


def test_members_pin_and_unpin_and_the_list_is_newest_first(session, alice, bob, general):
    first = messages.post_message(session, general.id, alice.id, "first")
    second = messages.post_message(session, general.id, alice.id, "second")
    assert pins.pin(session, bob.id, first.id) == general.id
    pins.pin(session, alice.id, second.id)
    pins.pin(session, alice.id, second.id)  # again: nothing changes
    listed = pins.pinned(session, general.id)
    assert [(pin.message.body, pin.pinned_by) for pin in listed] == [("second", "alice"), ("first", "bob")]
    pins.unpin(session, alice.id, first.id)
    assert [pin.message.id for pin in pins.pinned(session, general.id)] == [second.id]


def test_an_outsider_cannot_pin_what_they_cannot_read_and_gets_the_missing_answer(session, alice, bob):
    den = rooms.create_room(session, "Den", "", alice.id, private=True)
    secret = messages.post_message(session, den.id, alice.id, "secret")
    for message_id in (secret.id, 10_000):
        with pytest.raises(messages.MessageNotFound):
            pins.pin(session, bob.id, message_id)
        with pytest.raises(messages.MessageNotFound):
            pins.unpin(session, bob.id, message_id)
    members.invite(session, alice.id, den.id, "bob")
    pins.pin(session, bob.id, secret.id)
    assert [pin.pinned_by for pin in pins.pinned(session, den.id)] == ["bob"]


def test_archived_rooms_deleted_messages_and_full_rooms_refuse_a_pin(session, alice, general, monkeypatch):
    kept = messages.post_message(session, general.id, alice.id, "kept")
    gone = messages.post_message(session, general.id, alice.id, "gone")
    pins.pin(session, alice.id, gone.id)
    messages.delete_message(session, gone.id, alice.id)
    assert pins.pinned(session, general.id) == []  # a deleted message leaves the panel
    with pytest.raises(messages.NotAllowed, match="deleted"):
        pins.pin(session, alice.id, gone.id)
    monkeypatch.setattr(settings, "PINS_PER_ROOM", 1)
    pins.pin(session, alice.id, kept.id)
    extra = messages.post_message(session, general.id, alice.id, "extra")
    with pytest.raises(messages.NotAllowed, match="at most 1 pinned"):
        pins.pin(session, alice.id, extra.id)
    rooms.archive_room(session, alice.id, general.id)
    with pytest.raises(messages.NotAllowed, match="archived"):
        pins.unpin(session, alice.id, kept.id)


def test_pin_actions_and_changes_to_a_pinned_message_tell_the_room_its_pins(session, alice, general):
    posted = messages.post_message(session, general.id, alice.id, "pin me")
    other = messages.post_message(session, general.id, alice.id, "not pinned")
    (event,) = message_actions.pin_message(session, alice.id, posted.id).events
    assert isinstance(event, PinsChanged) and event.room_id == general.id
    assert [pin.message.body for pin in event.pins] == ["pin me"]
    assert from_wire(to_wire(event)) == event  # between workers as JSON
    edited = message_actions.edit_message(session, alice.id, general.id, posted.id, "pinned and edited").events
    assert [pin.message.body for pin in edited[-1].pins] == ["pinned and edited"]
    assert len(message_actions.edit_message(session, alice.id, general.id, other.id, "unpinned edit").events) == 1
    deleted = message_actions.delete_message(session, alice.id, general.id, posted.id).events
    assert isinstance(deleted[-1], PinsChanged) and deleted[-1].pins == ()
    (event,) = message_actions.unpin_message(session, alice.id, other.id).events
    assert event.pins == ()


def test_the_pins_list_takes_four_queries_however_many_pins(session, alice, general, count_queries):
    for n in range(5):
        pins.pin(session, alice.id, messages.post_message(session, general.id, alice.id, f"m{n} @alice").id)
    with count_queries() as queries:
        assert len(pins.pinned(session, general.id)) == 5
    assert len(queries) == 4  # pins, their messages with authors, the users those mention, their reactions
