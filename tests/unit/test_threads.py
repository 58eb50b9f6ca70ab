"""Threads (threads.py): replies beside the room's stream, their counts, follows, unread replies and quotes."""

import pytest

from djangochat_rx.domain import members, messages, reads, rooms, threads
from djangochat_rx.domain.messages import InvalidMessage, MessageNotFound


def test_replies_number_within_their_thread_and_stay_out_of_the_room(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "lunch?")
    first = threads.post_reply(session, parent.id, bob.id, "yes")
    second = threads.post_reply(session, parent.id, alice.id, "12:30 then")
    after = messages.post_message(session, general.id, bob.id, "back to the room")

    assert (first.reply.seq, second.reply.seq) == (1, 2)
    assert first.reply.thread_id == parent.id and second.parent.reply_count == 2
    assert second.parent.repliers == ("alice", "bob") and second.parent.last_reply_at == second.reply.created_at
    # The room's own numbering has no hole: the next room message is 2, and the room shows no reply.
    assert after.seq == 2
    assert [m.body for m in messages.newest_messages(session, general.id)] == ["lunch?", "back to the room"]
    assert rooms.room_by_slug(session, general.slug).message_count == 2
    [summary] = [row for row in reads.room_summaries(session, bob.id) if row.id == general.id]
    assert summary.last_preview == "back to the room"

    shown, replies, following = threads.thread(session, bob.id, parent.id)
    assert shown.reply_count == 2 and [r.body for r in replies] == ["yes", "12:30 then"] and following


def test_the_latest_repliers_are_named_most_recent_first_at_most_three(session, alice, bob, carol, general):
    from djangochat_rx.domain import accounts

    dave = accounts.register(session, "dave", "correct horse battery", "correct horse battery")
    parent = messages.post_message(session, general.id, alice.id, "who is in?")
    for user in (bob, carol, dave, bob):
        replied = threads.post_reply(session, parent.id, user.id, "me")
    assert replied.parent.repliers == ("bob", "dave", "carol")
    assert replied.parent.reply_count == 4


def test_the_author_the_repliers_and_the_mentioned_follow_and_count_unread_replies(session, alice, bob, carol, general):
    parent = messages.post_message(session, general.id, alice.id, "release on friday?")
    first = threads.post_reply(session, parent.id, bob.id, "fine by me")
    # Alice wrote the parent: she follows, one reply unread; Bob replied: he has read it; Carol is not in it.
    assert first.unread == {"alice": 1}
    assert threads.unread_total(session, bob.id) == 0 and threads.unread_total(session, carol.id) == 0

    second = threads.post_reply(session, parent.id, alice.id, "@carol can you check the build?")
    assert second.unread == {"bob": 1, "carol": 1}  # Carol follows from the reply that mentions her
    assert threads.unread_total(session, alice.id) == 0  # replying reads the thread

    assert threads.mark_read(session, carol.id, parent.id, second.reply.seq) == 0
    assert threads.mark_read(session, carol.id, parent.id, second.reply.seq) is None  # nothing moved
    assert threads.mark_read(session, bob.id, parent.id, 99) == 0  # never past the thread's replies
    third = threads.post_reply(session, parent.id, alice.id, "thanks")
    assert third.unread == {"bob": 1, "carol": 1}


def test_unfollowing_stops_the_unread_count_until_the_user_is_mentioned_again(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "plans")
    threads.post_reply(session, parent.id, bob.id, "one")
    assert threads.set_following(session, alice.id, parent.id, False) == 0
    assert threads.post_reply(session, parent.id, bob.id, "two").unread == {}
    assert threads.thread(session, alice.id, parent.id)[2] is False
    again = threads.post_reply(session, parent.id, bob.id, "@alice three")
    assert again.unread == {"alice": 2}  # her replies read when she unfollowed stay read
    assert threads.set_following(session, alice.id, parent.id, True) == 0  # following again starts from now


def test_the_threads_view_lists_followed_threads_unread_first(session, alice, bob, general):
    quiet = messages.post_message(session, general.id, alice.id, "old topic")
    busy = messages.post_message(session, general.id, alice.id, "new topic")
    threads.post_reply(session, quiet.id, bob.id, "old reply")
    threads.mark_read(session, alice.id, quiet.id, 1)
    threads.post_reply(session, busy.id, bob.id, "new reply")
    listed = threads.followed_threads(session, alice.id)
    assert [(t.parent.body, t.unread, t.slug) for t in listed] == [
        ("new topic", 1, general.slug),
        ("old topic", 0, general.slug),
    ]
    assert threads.followed_threads(session, bob.id)[0].unread == 0


def test_a_reply_is_refused_with_a_reason_and_an_outsider_learns_nothing(session, alice, bob, carol, general):
    parent = messages.post_message(session, general.id, alice.id, "hello")
    reply = threads.post_reply(session, parent.id, bob.id, "hi").reply
    with pytest.raises(InvalidMessage, match="answer in its thread"):
        threads.post_reply(session, reply.id, alice.id, "nested")
    with pytest.raises(InvalidMessage, match="Type a message"):
        threads.post_reply(session, parent.id, alice.id, "   ")
    with pytest.raises(MessageNotFound):
        threads.post_reply(session, 99999, alice.id, "nowhere")
    elsewhere = rooms.create_room(session, "Elsewhere", "", alice.id)
    with pytest.raises(MessageNotFound):  # a thread opens beside its own room only
        threads.thread(session, alice.id, parent.id, elsewhere.id)
    assert threads.thread(session, alice.id, parent.id, general.id)[0].id == parent.id

    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    hidden = messages.post_message(session, secret.id, alice.id, "between us")
    threads.post_reply(session, hidden.id, bob.id, "@carol look")  # Carol may not read the room: not mentioned
    for attempt in (
        lambda: threads.post_reply(session, hidden.id, carol.id, "let me in"),
        lambda: threads.thread(session, carol.id, hidden.id),
        lambda: threads.set_following(session, carol.id, hidden.id, True),
    ):
        with pytest.raises(MessageNotFound) as refused:
            attempt()
        assert str(refused.value) == "Message not found."
    assert threads.unread_total(session, carol.id) == 0 and threads.followed_threads(session, carol.id) == []

    # Removed from the room, Bob's follow stops counting and listing.
    threads.post_reply(session, hidden.id, alice.id, "more")
    assert threads.unread_total(session, bob.id) == 1
    members.remove(session, alice.id, secret.id, "bob")
    assert threads.unread_total(session, bob.id) == 0
    assert [t.slug for t in threads.followed_threads(session, bob.id)] == [general.slug]


def test_a_retried_reply_is_saved_once(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "q")
    first = threads.post_reply(session, parent.id, bob.id, "a", client_id="r-1")
    again = threads.post_reply(session, parent.id, bob.id, "a", client_id="r-1")
    assert again.reply.id == first.reply.id and again.parent.reply_count == 1


def test_a_message_sent_to_the_room_from_a_thread_quotes_the_parent(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "first line\nsecond line")
    quoting = messages.post(session, general.id, bob.id, "agreed, see thread", quote_id=parent.id).message
    assert (quoting.quote_id, quoting.quote_author, quoting.quote_text) == (parent.id, "alice", "first line")
    [shown] = [m for m in messages.newest_messages(session, general.id) if m.id == quoting.id]
    assert shown.quote_text == "first line"
    messages.delete_message(session, parent.id, alice.id)
    [shown] = [m for m in messages.newest_messages(session, general.id) if m.id == quoting.id]
    assert shown.quote_text == "message deleted"


def test_a_reply_mentioning_someone_is_no_unread_mention_of_the_room(session, alice, bob, general):
    parent = messages.post_message(session, general.id, alice.id, "topic")
    reply = threads.post_reply(session, parent.id, alice.id, "@bob over here").reply
    assert reply.mentions == ("bob",)
    assert reads.unread_mention_rooms(session, bob.id) == []
    assert threads.unread_total(session, bob.id) == 1
