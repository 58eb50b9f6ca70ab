"""`@room` and `@here` (messages.author_and_mentioned): whom they mention, the owner-only rule in big rooms, the
names nobody may take, and how they render."""

import pytest
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import accounts, members, messages, reads, rooms
from djangochat_rx.models import Mention


def mentioned(session, message) -> set[int]:
    return set(session.exec(select(Mention.user_id).where(Mention.message_id == message.id)))


def test_at_room_mentions_every_member_of_a_private_room_but_the_author(session, alice, bob, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    message = messages.post_message(session, secret.id, alice.id, "@room standup in 5")
    assert mentioned(session, message) == {bob.id}
    assert message.mentions == ("bob",) and '<span class="mention">@room</span>' in message.html


def test_at_room_in_a_public_room_mentions_those_who_opened_it(session, alice, bob, carol, general):
    reads.mark_read(session, bob.id, general.id, 0)  # bob opened the room; carol never did
    message = messages.post_message(session, general.id, alice.id, "@room hello")
    assert mentioned(session, message) == {bob.id}


def test_at_here_mentions_who_is_present_and_may_read(session, alice, bob, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    outcome = message_actions.send_message(
        session, alice.id, secret.id, "@here quick one", "", ("bob", "carol", "alice")
    )
    assert mentioned(session, outcome.value) == {bob.id}  # carol may not read it; the author is not told
    assert '<span class="mention">@here</span>' in outcome.value.html
    plain = messages.post_message(session, secret.id, alice.id, "`@room` in code mentions nobody")
    assert mentioned(session, plain) == set()


def test_only_the_owner_may_mention_a_big_room(session, alice, bob, carol, general, monkeypatch):
    monkeypatch.setattr(settings, "ROOM_MENTION_OWNER_ONLY_OVER", 1)
    for user in (alice, bob, carol):
        reads.mark_read(session, user.id, general.id, 0)
    with pytest.raises(messages.InvalidMessage, match="Only the room's owner"):
        messages.post_message(session, general.id, bob.id, "@room everyone!")
    assert messages.newest_messages(session, general.id) == []
    assert mentioned(session, messages.post_message(session, general.id, alice.id, "@room hi")) == {bob.id, carol.id}


def test_nobody_may_be_called_room_or_here(session):
    for name in ("room", "Here", "ALL", "everyone"):
        with pytest.raises(accounts.InvalidUsername, match="reserved"):
            accounts.register(session, name, "password123", "password123")
