"""Emoji reactions (reactions.py, actions/messages.react): toggling, what counts as an emoji, the limit per
message, who may react, and reactions in every view of a message and on the wire between workers."""

import pytest

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import admin, events, members, messages, reactions, rooms


def react(session, user, message, emoji: str, room_id=None) -> reactions.Toggled:
    return reactions.toggle(session, user.id, message.id, emoji, room_id)


@pytest.fixture
def hello(session, alice, general) -> messages.MessageView:
    return messages.post_message(session, general.id, alice.id, "hello")


def test_reacting_again_takes_it_back_and_each_emoji_lists_who_in_order(session, alice, bob, carol, hello):
    assert react(session, bob, hello, "👍").added
    react(session, carol, hello, "🎉")
    changed = react(session, alice, hello, "👍")
    assert changed.reactions == (
        reactions.ReactionView("👍", 2, ("bob", "alice")),
        reactions.ReactionView("🎉", 1, ("carol",)),
    )
    gone = react(session, bob, hello, "👍")
    assert not gone.added
    # Ordered by each emoji's earliest reaction still there: carol's 🎉 came before alice's 👍.
    assert gone.reactions == (reactions.ReactionView("🎉", 1, ("carol",)), reactions.ReactionView("👍", 1, ("alice",)))
    assert messages.newest_messages(session, hello.room_id)[-1].reactions == gone.reactions


def test_only_a_single_emoji_is_a_reaction(session, bob, hello):
    for text in ("", " ", "hi", "👍👍", ":)", "👍 hi", "<b>", "x" * 40):
        with pytest.raises(reactions.NotAnEmoji):
            react(session, bob, hello, text)
    for emoji in ("👍🏽", "👨‍👩‍👧", "❤️", "🏳️‍🌈"):
        assert react(session, bob, hello, emoji).added


def test_outsiders_and_other_rooms_get_not_found_like_a_message_that_does_not_exist(session, alice, bob, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    inside = messages.post_message(session, secret.id, alice.id, "between us")
    answers = set()
    for user, message_id, room_id in ((carol, inside.id, None), (carol, 10_000, None), (bob, inside.id, 999)):
        with pytest.raises(messages.MessageNotFound) as refused:
            reactions.toggle(session, user.id, message_id, "👍", room_id)
        answers.add(str(refused.value))
    assert answers == {str(messages.MessageNotFound())}
    assert messages.newest_messages(session, secret.id)[-1].reactions == ()
    assert react(session, bob, inside, "👍", secret.id).added


def test_deleted_messages_and_archived_rooms_take_no_reactions(session, alice, bob, root, general, hello):
    react(session, bob, hello, "👍")
    messages.delete_message(session, hello.id, alice.id)
    assert messages.newest_messages(session, general.id)[-1].reactions == ()
    with pytest.raises(reactions.ReactionError, match="deleted"):
        react(session, bob, hello, "👍")
    other = messages.post_message(session, general.id, alice.id, "still here")
    admin.archive_room(session, root.id, general.id)
    with pytest.raises(reactions.ReactionError, match="archived"):
        react(session, bob, other, "👍")


def test_a_message_takes_a_limited_number_of_different_emoji(session, alice, bob, hello, monkeypatch):
    monkeypatch.setattr(settings, "REACTIONS_PER_MESSAGE", 3)
    for emoji in ("👍", "🎉", "👀"):
        react(session, alice, hello, emoji)
    with pytest.raises(reactions.ReactionError, match="at most 3"):
        react(session, bob, hello, "🙏")
    assert react(session, bob, hello, "🎉").added  # one more of an emoji already there is fine


def test_an_edit_keeps_the_reactions(session, alice, bob, hello):
    react(session, bob, hello, "👍")
    edited = messages.edit_message(session, hello.id, alice.id, "hello, edited")
    assert edited.reactions == (reactions.ReactionView("👍", 1, ("bob",)),)


def test_favourites_are_the_most_used_then_the_defaults(session, alice, bob, general):
    assert reactions.favourites(session, bob.id) == list(reactions.DEFAULT_FAVOURITES)
    for i in range(3):
        message = messages.post_message(session, general.id, alice.id, f"m{i}")
        react(session, bob, message, "🦀")
        if i:
            react(session, bob, message, "🚀")
    assert reactions.favourites(session, bob.id)[:3] == ["🦀", "🚀", "👍"]
    assert len(reactions.favourites(session, bob.id)) == 6


def test_the_action_returns_the_message_with_its_reactions_for_its_room(session, alice, bob, hello):
    outcome = message_actions.react(session, bob.id, hello.id, "👍", hello.room_id)
    [event] = outcome.events
    assert isinstance(event, events.ReactionsChanged) and outcome.value is True
    assert event.message.id == hello.id and event.message.reactions == (reactions.ReactionView("👍", 1, ("bob",)),)
    assert events.from_wire(events.to_wire(event)) == event
