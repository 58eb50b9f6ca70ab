"""Saved messages: save what one can read, the Saved page's list (newest saved first, only what one may still
read), the limit per person, and what deleting does."""

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import admin, members, messages, rooms, saved, threads
from djangochat_rx.models import SavedMessage


def listed(session, user) -> list[str]:
    return [item.message.body for item in saved.saved_list(session, user.id)]


def test_a_person_saves_what_they_read_and_the_list_is_newest_saved_first(session, alice, bob, general):
    first = messages.post_message(session, general.id, alice.id, "first")
    second = messages.post_message(session, general.id, alice.id, "second")
    assert saved.save(session, bob.id, second.id) == general.id
    saved.save(session, bob.id, first.id)
    saved.save(session, bob.id, first.id)  # again: nothing changes
    items = saved.saved_list(session, bob.id)
    assert [(item.message.body, item.room_name, item.slug) for item in items] == [
        ("first", general.name, general.slug),
        ("second", general.name, general.slug),
    ]
    assert sorted(saved.saved_in_room(session, bob.id, general.id)) == sorted([first.id, second.id])
    assert listed(session, alice) == []  # one person's list is theirs alone
    saved.unsave(session, bob.id, first.id)
    saved.unsave(session, bob.id, first.id)  # again: nothing happens
    assert listed(session, bob) == ["second"]


def test_a_message_leaves_the_list_when_its_reader_loses_the_room_and_comes_back_with_it(session, alice, bob):
    den = rooms.create_room(session, "Den", "", alice.id, private=True)
    members.invite(session, alice.id, den.id, "bob")
    plan = messages.post_message(session, den.id, alice.id, "the plan")
    saved.save(session, bob.id, plan.id)
    assert listed(session, bob) == ["the plan"]
    members.remove(session, alice.id, den.id, "bob")
    assert listed(session, bob) == []
    with pytest.raises(messages.MessageNotFound):  # as for a message that does not exist
        saved.save(session, bob.id, plan.id)
    members.invite(session, alice.id, den.id, "bob")
    assert listed(session, bob) == ["the plan"]


def test_a_deleted_or_removed_message_is_off_every_list_and_cannot_be_saved(session, alice, bob, root, general):
    mine = messages.post_message(session, general.id, alice.id, "mine")
    rude = messages.post_message(session, general.id, alice.id, "rude")
    for message in (mine, rude):
        saved.save(session, bob.id, message.id)
    messages.delete_message(session, mine.id, alice.id)
    admin.remove_message(session, root.id, rude.id)
    assert listed(session, bob) == []
    with pytest.raises(messages.NotAllowed, match="deleted"):
        saved.save(session, bob.id, mine.id)


def test_a_saved_reply_lists_with_its_thread(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "question")
    reply = threads.post_reply(session, parent.id, bob.id, "answer").reply
    saved.save(session, alice.id, reply.id)
    (item,) = saved.saved_list(session, alice.id)
    assert (item.message.body, item.message.thread_id) == ("answer", parent.id)
    assert saved.saved_in_room(session, alice.id, general.id) == [reply.id]


def test_a_person_keeps_at_most_the_limit(session, alice, general, monkeypatch):
    monkeypatch.setattr(settings, "SAVED_PER_USER", 2)
    posted = [messages.post_message(session, general.id, alice.id, f"m{n}") for n in range(3)]
    saved.save(session, alice.id, posted[0].id)
    saved.save(session, alice.id, posted[1].id)
    saved.save(session, alice.id, posted[1].id)  # saving one already kept is not one more
    with pytest.raises(messages.NotAllowed, match="at most 2 saved messages"):
        saved.save(session, alice.id, posted[2].id)
    assert len(session.exec(select(SavedMessage)).all()) == 2
