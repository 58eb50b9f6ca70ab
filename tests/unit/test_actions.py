"""Each action's events, checked without sockets (Zulip's test_events.py is the model): what changed,
whom it concerns, and how many statements the change costs."""

import json

import pytest

from djangochat_rx import access, events, messages, rooms, sessions
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.actions import threads as thread_actions
from djangochat_rx.admin import NotAdmin
from djangochat_rx.events import (
    MessageChanged,
    MessageSent,
    ReadMoved,
    RoomChanged,
    SessionsEnded,
    ThreadReplied,
    ThreadsRead,
    Typing,
)


def only(outcome, kind):
    """The outcome's one event, which must be of `kind`."""
    assert [type(event) for event in outcome.events] == [kind]
    return outcome.events[0]


def test_sending_tells_the_room_with_the_message_its_preview_and_whom_it_mentions(session, alice, bob, general):
    outcome = message_actions.send_message(session, alice.id, general.id, "hi @bob, *look*", "c1")
    sent = only(outcome, MessageSent)
    assert sent.message == outcome.value and sent.message.seq == 1 and sent.message.author == "alice"
    assert (sent.room_name, sent.slug, sent.preview) == ("General", "general", "hi @bob, look")
    assert sent.mentioned == {"bob": ("general",)}


def test_a_message_without_mentions_tells_nobody_in_particular(session, alice, general):
    sent = only(message_actions.send_message(session, alice.id, general.id, "plain"), MessageSent)
    assert sent.mentioned == {}


def test_sending_is_one_write_transaction_of_three_statements(session, alice, general, count_queries):
    message_actions.send_message(session, alice.id, general.id, "the author's read marker exists now")
    with count_queries() as queries:
        sent = message_actions.send_message(session, alice.id, general.id, "counted", "client-1")
    # Room counter (seq, access, the author's name), the message (a retry inserts nothing), read marker.
    assert [q.split()[0] for q in queries] == ["UPDATE", "INSERT", "UPDATE"]
    assert sent.value.author == "alice"


def test_a_message_that_mentions_someone_reads_the_mentioned_with_one_more_statement(
    session, alice, bob, general, count_queries
):
    message_actions.send_message(session, alice.id, general.id, "the author's read marker exists now")
    with count_queries() as queries:
        sent = message_actions.send_message(session, alice.id, general.id, "hi @bob", "client-2")
    assert [q.split()[0] for q in queries][:3] == ["UPDATE", "SELECT", "INSERT"]
    assert (sent.value.author, sent.value.mentions) == ("alice", ("bob",))


def test_a_retried_send_posts_nothing_new_and_says_the_same(session, alice, general):
    first = message_actions.send_message(session, alice.id, general.id, "once", "same-id")
    again = message_actions.send_message(session, alice.id, general.id, "once", "same-id")
    assert again.value == first.value and only(again, MessageSent).slug == "general"


def test_edits_and_deletes_tell_the_room_the_new_version(session, alice, general):
    posted = message_actions.send_message(session, alice.id, general.id, "tpyo").value
    edited = only(message_actions.edit_message(session, alice.id, general.id, posted.id, "typo"), MessageChanged)
    assert (edited.message.id, edited.message.body, edited.message.edited, edited.preview) == (
        posted.id,
        "typo",
        True,
        "typo",
    )
    deleted = only(message_actions.delete_message(session, alice.id, general.id, posted.id), MessageChanged)
    assert (deleted.message.deleted, deleted.preview) == (True, "message deleted")


def test_a_moderator_removal_is_a_change_and_only_admins_may(session, alice, bob, root, general):
    posted = message_actions.send_message(session, alice.id, general.id, "spam").value
    with pytest.raises(NotAdmin):
        message_actions.remove_message(session, bob.id, posted.id)
    removed = only(message_actions.remove_message(session, root.id, posted.id), MessageChanged)
    assert removed.message.removed and removed.preview == "removed by a moderator"


def test_creating_a_public_room_puts_it_on_the_lobby(session, alice):
    outcome = room_actions.create_room(session, alice.id, "Lounge", "sofas")
    changed = only(outcome, RoomChanged)
    assert changed.summary.kind == access.PUBLIC and changed.summary.name == "Lounge"
    assert (changed.people, changed.expelled, changed.gone) == (("alice",), (), False)


def test_inviting_removing_and_leaving_tell_members_and_who_lost_the_room(session, alice, bob, carol):
    room = room_actions.create_room(session, alice.id, "Secret", "", True).value
    invited = only(room_actions.invite(session, alice.id, room.id, "Bob"), RoomChanged)
    assert invited.people == ("alice", "bob") and invited.summary.kind == access.PRIVATE
    room_actions.invite(session, alice.id, room.id, "carol")
    removed = only(room_actions.remove_member(session, alice.id, room.id, "bob"), RoomChanged)
    assert (removed.people, removed.expelled) == (("alice", "carol"), ("bob",))
    left = only(room_actions.leave(session, carol.id, room.id), RoomChanged)
    assert (left.people, left.expelled) == (("alice",), ("carol",))


def test_renaming_and_archiving_carry_the_room_as_the_lists_show_it(session, alice, general):
    renamed = only(room_actions.update_room(session, alice.id, general.id, "Town square", "all"), RoomChanged)
    assert (renamed.summary.name, renamed.summary.description) == ("Town square", "all")
    archived = only(room_actions.archive_room(session, alice.id, general.id, True), RoomChanged)
    assert archived.summary.archived


def test_the_owner_or_an_admin_deletes_a_room_and_everyone_loses_it(session, alice, bob, root):
    room = room_actions.create_room(session, alice.id, "Doomed", "", True).value
    room_actions.invite(session, alice.id, room.id, "bob")
    with pytest.raises(rooms.RoomNotFound):
        room_actions.delete_room(session, bob.id + 1000, room.id)
    gone = only(room_actions.delete_room(session, root.id, room.id), RoomChanged)
    assert (gone.summary, gone.gone, gone.expelled) == (None, True, ("alice", "bob"))


def test_a_member_who_is_not_the_owner_cannot_archive(session, alice, bob):
    room = room_actions.create_room(session, alice.id, "Mine", "", True).value
    room_actions.invite(session, alice.id, room.id, "bob")
    with pytest.raises(rooms.NotOwner):
        room_actions.archive_room(session, bob.id, room.id, True)


def test_opening_a_direct_conversation_puts_it_on_both_lists(session, alice, bob):
    changed = only(room_actions.open_direct(session, alice.id, ["bob"]), RoomChanged)
    assert changed.people == ("alice", "bob") and changed.summary.kind == access.DM


def test_ending_sessions_names_them_and_nothing_when_there_were_none(session, alice, root):
    mine = sessions.issue(session, alice.id)
    other = sessions.issue(session, alice.id)
    mine_id = sessions.resolve(session, mine).session_id
    assert only(session_actions.log_out(session, mine), SessionsEnded).session_ids == (mine_id,)
    assert session_actions.log_out(session, mine).events == []
    assert session_actions.log_out(session, "no-such-token").events == []
    ended = only(session_actions.disable_user(session, root.id, alice.id), SessionsEnded)
    assert len(ended.session_ids) == 1 and sessions.resolve(session, other) is None


def test_marking_read_tells_the_reader_their_marker_and_mentions(session, alice, bob, general):
    message_actions.send_message(session, alice.id, general.id, "@bob look")
    read = only(session_actions.mark_read(session, bob.id, "bob", general.id, 1), ReadMoved)
    assert (read.username, read.slug, read.seq, read.mentioned) == ("bob", "general", 1, ())


def test_typing_in_a_room_one_may_not_read_tells_nobody(session, alice, bob):
    secret = room_actions.create_room(session, alice.id, "Hidden", "", True).value
    assert session_actions.typing(session, bob.id, "bob", secret.id).events == []
    assert only(session_actions.typing(session, alice.id, "alice", secret.id), Typing).room_id == secret.id


def test_every_event_survives_the_trip_between_workers(session, alice, bob, general):
    outcomes = [
        message_actions.send_message(session, alice.id, general.id, "@bob over the wire"),
        room_actions.create_room(session, alice.id, "Wire", "", True),
        session_actions.mark_read(session, bob.id, "bob", general.id, 1),
        session_actions.typing(session, alice.id, "alice", general.id),
        session_actions.end_sessions(session, alice.id),
    ]
    sessions.issue(session, alice.id)
    outcomes.append(session_actions.end_sessions(session, alice.id))
    for outcome in outcomes:
        for event in outcome.events:
            assert events.from_wire(events.to_wire(event)) == event
    assert messages.newest_messages(session, general.id)[0].body == "@bob over the wire"


def test_a_reply_tells_its_thread_the_room_the_parent_and_the_followers_their_unread(session, alice, bob, general):
    parent = message_actions.send_message(session, alice.id, general.id, "lunch?").value
    outcome = thread_actions.reply(session, bob.id, parent.id, "yes", "r1")
    replied = only(outcome, ThreadReplied)
    assert replied.reply == outcome.value and (replied.reply.thread_id, replied.reply.seq) == (parent.id, 1)
    assert (replied.parent.id, replied.parent.reply_count, replied.parent.repliers) == (parent.id, 1, ("bob",))
    assert replied.unread == {"alice": 1}
    assert events.from_wire(json.loads(json.dumps(events.to_wire(replied)))) == replied  # between workers

    # Also to the room: the thread hears of it, and the room gets a message quoting the parent.
    both = thread_actions.reply(session, alice.id, parent.id, "12:30 then", "r2", also_to_room=True)
    assert [type(event) for event in both.events] == [ThreadReplied, MessageSent]
    sent = both.events[1]
    assert (sent.message.thread_id, sent.message.quote_id, sent.message.quote_author) == (0, parent.id, "alice")
    assert sent.message.seq == 2 and sent.message.body == "12:30 then"
    assert events.from_wire(json.loads(json.dumps(events.to_wire(sent)))) == sent
    retried = thread_actions.reply(session, alice.id, parent.id, "12:30 then", "r2", also_to_room=True)
    assert retried.value.id == both.value.id and retried.events[1].message.id == sent.message.id

    read = only(thread_actions.read_thread(session, bob.id, "bob", parent.id, 2), ThreadsRead)
    assert read == ThreadsRead("bob", 0)
    assert thread_actions.read_thread(session, bob.id, "bob", parent.id, 2).events == []
    assert only(thread_actions.follow_thread(session, bob.id, "bob", parent.id, False), ThreadsRead).unread == 0
