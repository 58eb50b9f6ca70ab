"""Polls: asking (checked), voting once and changing or taking back a vote, closing, what everyone sees (counts,
voters unless anonymous), `/poll`'s parsing, and that a poll's message reads as the poll written out."""

import pytest

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import commands, messages, polls, rooms, search


def asked(session, user, room, question="Lunch?", answers=("Pizza", "Sushi"), anonymous=False):
    return message_actions.ask_poll(session, user.id, room.id, polls.ask(question, answers, anonymous)).value


def results(session, message_id):
    poll = messages.message_view(session, message_id).poll
    return [(option.text, option.votes, option.voters) for option in poll.options], poll.total


def test_a_vote_counts_once_and_moves_or_is_taken_back(session, alice, bob, carol, general):
    poll = asked(session, alice, general)
    assert poll.poll.question == "Lunch?" and poll.poll.total == 0 and not poll.poll.closed
    assert polls.vote(session, bob.id, poll.id, 0) == 0
    assert polls.vote(session, carol.id, poll.id, 0) == 0
    assert results(session, poll.id) == ([("Pizza", 2, ("bob", "carol")), ("Sushi", 0, ())], 2)
    assert polls.vote(session, bob.id, poll.id, 1) == 1  # changes bob's vote
    assert results(session, poll.id) == ([("Pizza", 1, ("carol",)), ("Sushi", 1, ("bob",))], 2)
    assert polls.vote(session, bob.id, poll.id, 1) is None  # the same answer again takes it back
    assert results(session, poll.id)[1] == 1
    assert sorted(polls.choices(session, carol.id, general.id)) == [f"{poll.id}:0"]
    with pytest.raises(messages.InvalidMessage, match="no such answer"):
        polls.vote(session, bob.id, poll.id, 2)


def test_an_anonymous_poll_shows_counts_only(session, alice, bob, general):
    poll = asked(session, alice, general, anonymous=True)
    polls.vote(session, bob.id, poll.id, 1)
    assert results(session, poll.id) == ([("Pizza", 0, ()), ("Sushi", 1, ())], 1)
    assert polls.choices(session, bob.id, general.id) == [f"{poll.id}:1"]  # bob's own page still knows his


def test_only_the_author_closes_and_a_closed_poll_takes_no_vote(session, alice, bob, general):
    poll = asked(session, alice, general)
    polls.vote(session, bob.id, poll.id, 0)
    with pytest.raises(messages.NotAllowed, match="author"):
        polls.close(session, bob.id, poll.id)
    polls.close(session, alice.id, poll.id)
    assert messages.message_view(session, poll.id).poll.closed
    with pytest.raises(messages.NotAllowed, match="closed"):
        polls.vote(session, bob.id, poll.id, 1)
    assert results(session, poll.id)[1] == 1  # its results stay


def test_a_poll_cannot_be_edited_but_can_be_deleted_and_its_message_reads_as_the_poll(session, alice, general):
    poll = asked(session, alice, general, question="Where *to*?", answers=("Park", "Beach"))
    assert poll.body == "📊 **Where \\*to\\*?**\n\n- Park\n- Beach"
    assert [hit.message_id for hit in search.search(session, alice.id, "beach")] == [poll.id]
    with pytest.raises(messages.NotAllowed, match="cannot be edited"):
        messages.edit_message(session, poll.id, alice.id, "changed")
    with pytest.raises(messages.NotAllowed, match="cannot be edited"):
        messages.message_source(session, poll.id, alice.id)
    gone = messages.delete_message(session, poll.id, alice.id)
    assert gone.deleted and gone.poll is None
    with pytest.raises(messages.NotAllowed, match="deleted"):
        polls.vote(session, alice.id, poll.id, 0)


def test_a_plain_message_that_looks_like_a_poll_is_one_without_a_poll(session, alice, general):
    message = message_actions.send_message(session, alice.id, general.id, "📊 **not a poll**").value
    assert message.poll is None and messages.message_view(session, message.id).poll is None
    with pytest.raises(messages.MessageNotFound):
        polls.vote(session, alice.id, message.id, 0)


@pytest.mark.parametrize(
    ("question", "answers", "error"),
    [
        ("", ("A", "B"), "needs a question"),
        ("Q?", ("A",), "2 to 10 answers"),
        ("Q?", tuple("ABCDEFGHIJK"), "2 to 10 answers"),
        ("Q?", ("A", "a"), "differ"),
        ("Q" * 301, ("A", "B"), "at most 300"),
        ("Q?", ("A" * 101, "B"), "at most 100"),
    ],
)
def test_a_poll_asked_wrongly_says_what_is_wrong(question, answers, error):
    with pytest.raises(messages.InvalidMessage, match=error):
        polls.ask(question, answers)


def test_blank_answers_and_hidden_characters_are_dropped():
    asked = polls.ask("  Lunch\u200b?  ", ["Pizza", "  ", "Su\u202eshi"])
    assert (asked.question, asked.options) == ("Lunch?", ("Pizza", "Sushi"))


@pytest.mark.parametrize(
    ("typed", "question", "answers", "anonymous"),
    [
        ('/poll "Lunch?" "Pizza" "Sushi"', "Lunch?", ("Pizza", "Sushi"), False),
        ("/poll “Lunch today?” “Pizza place” “Sushi”", "Lunch today?", ("Pizza place", "Sushi"), False),
        ('/poll anonymous "Rate it" "Good" "Bad"', "Rate it", ("Good", "Bad"), True),
        ("/poll Lunch? Pizza Sushi", "Lunch?", ("Pizza", "Sushi"), False),
    ],
)
def test_the_poll_command_reads_quoted_words(typed, question, answers, anonymous):
    request = commands.parse(typed)
    assert request == commands.AskPoll(polls.Asked(question, answers, anonymous))


@pytest.mark.parametrize("typed", ["/poll", '/poll "Lunch?" "Pizza"', '/poll "Lunch?', '/poll "Q" "A" "A"'])
def test_the_poll_command_used_wrongly_says_how(typed):
    with pytest.raises(commands.CommandError):
        commands.parse(typed)


def test_an_outsider_votes_in_and_closes_no_poll_of_a_private_room(session, alice, bob):
    den = rooms.create_room(session, "Den", "", alice.id, private=True)
    poll = asked(session, alice, den)
    for attempt in (lambda: polls.vote(session, bob.id, poll.id, 0), lambda: polls.close(session, bob.id, poll.id)):
        with pytest.raises(messages.MessageNotFound):
            attempt()
    assert results(session, poll.id)[1] == 0


def test_the_limit_on_answers_is_a_setting(monkeypatch):
    monkeypatch.setattr(settings, "POLL_MAX_OPTIONS", 3)
    with pytest.raises(messages.InvalidMessage, match="2 to 3 answers"):
        polls.ask("Q?", ("A", "B", "C", "D"))
