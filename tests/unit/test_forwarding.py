"""Forwarding: copies of messages one may read, posted where one may post, after a comment; a copy keeps its text
and names the original's author; its link opens the original only for those who may read it; a copy's @names
tell no one."""

import pytest

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import attachments, forwarding, members, messages, reads, rooms
from djangochat_rx.domain.events import MessageSent
from djangochat_rx.infra import storage


@pytest.fixture
def den(session, alice, bob):
    """Alice's private room with Bob in it."""
    room = rooms.create_room(session, "Den", "", alice.id, private=True)
    members.invite(session, alice.id, room.id, "bob")
    return room


def test_a_copy_follows_its_comment_keeps_the_text_and_names_the_original_author(session, alice, bob, general, den):
    plan = messages.post_message(session, den.id, alice.id, "the **plan**")
    outcome = message_actions.forward_messages(session, bob.id, general.id, (plan.id,), "see this")
    comment, copy = outcome.value
    assert (comment.body, comment.forward_id) == ("see this", 0)
    assert (copy.body, copy.author, copy.forward_id, copy.forward_author) == ("the **plan**", "bob", plan.id, "alice")
    assert [event.message.id for event in outcome.events if isinstance(event, MessageSent)] == [comment.id, copy.id]
    assert messages.newest_messages(session, general.id)[-1] == copy  # a fresh load shows the same
    messages.edit_message(session, plan.id, alice.id, "a new plan")
    assert messages.message_view(session, copy.id).body == "the **plan**"  # the copy keeps what was forwarded
    messages.delete_message(session, plan.id, alice.id)
    assert messages.message_view(session, copy.id).forward_author == "alice"


def test_several_messages_go_in_their_rooms_order_once_each_and_a_comment_is_optional(session, alice, bob, general):
    first = messages.post_message(session, general.id, alice.id, "one")
    second = messages.post_message(session, general.id, bob.id, "two\n\nmore")
    dm = members.open_direct(session, bob.id, ["alice"])
    copies = message_actions.forward_messages(session, bob.id, dm.id, (second.id, first.id, second.id), "").value
    assert [(copy.body, copy.forward_author) for copy in copies] == [("one", "alice"), ("two\n\nmore", "bob")]
    listed = forwarding.chosen(session, bob.id, (second.id, first.id))  # what the forward form lists
    assert listed == [forwarding.Chosen(first.id, "alice", "one"), forwarding.Chosen(second.id, "bob", "two")]


def test_the_forward_form_lists_a_long_first_line_cut_and_refuses_as_forwarding_does(session, alice, bob, general):
    long = messages.post_message(session, general.id, alice.id, "\n" + "x" * 200 + "\nsecond line")
    (listed,) = forwarding.chosen(session, bob.id, (long.id,))
    assert listed.line == "x" * (forwarding.LINE_CHARS - 1) + "…"
    with pytest.raises(messages.InvalidMessage, match="at most"):
        forwarding.chosen(session, bob.id, tuple(range(1, settings.FORWARD_MAX_MESSAGES + 2)))
    with pytest.raises(messages.MessageNotFound):
        forwarding.chosen(session, bob.id, (long.id, 10**9))


def test_the_link_opens_the_original_only_for_those_who_may_read_it(session, alice, bob, carol, den, general):
    plan = messages.post_message(session, den.id, alice.id, "the plan")
    copy = message_actions.forward_messages(session, bob.id, general.id, (plan.id,)).value[0]
    assert forwarding.located(session, bob.id, copy.forward_id) == f"/rooms/{den.slug}?message={plan.id}"
    for message_id in (copy.forward_id, 10**9):  # carol: the same answer as for no message at all
        with pytest.raises(messages.MessageNotFound):
            forwarding.located(session, carol.id, message_id)
    assert den.slug not in repr(messages.message_view(session, copy.id))  # the copy never says where it came from


def test_a_reply_is_located_in_its_thread(session, alice, bob, general):
    from djangochat_rx.domain import threads

    parent = messages.post_message(session, general.id, alice.id, "question")
    reply = threads.post_reply(session, parent.id, bob.id, "answer").reply
    assert forwarding.located(session, alice.id, reply.id) == f"/rooms/{general.slug}?thread={parent.id}"


def test_an_outsider_forwards_nothing_of_a_private_room_and_nothing_into_one(session, alice, bob, carol, den, general):
    plan = messages.post_message(session, den.id, alice.id, "the plan")
    hello = messages.post_message(session, general.id, alice.id, "hello")
    with pytest.raises(messages.MessageNotFound):
        message_actions.forward_messages(session, carol.id, general.id, (hello.id, plan.id), "look")
    with pytest.raises(rooms.RoomNotFound):
        message_actions.forward_messages(session, carol.id, den.id, (hello.id,))
    assert [m.body for m in messages.newest_messages(session, general.id)] == ["hello"]  # nothing was posted
    assert den.id not in [target.id for target in forwarding.targets(session, carol.id)]
    assert den.id in [target.id for target in forwarding.targets(session, bob.id)]


def test_a_copys_mentions_tell_no_one(session, alice, bob, carol, general):
    shout = messages.post_message(session, general.id, alice.id, "@carol look")
    assert reads.unread_mention_rooms(session, carol.id)
    reads.mark_read(session, carol.id, general.id, shout.seq)
    dm = members.open_direct(session, bob.id, ["carol"])
    copy = message_actions.forward_messages(session, bob.id, dm.id, (shout.id,)).value[0]
    sent = message_actions.forward_messages(session, bob.id, dm.id, (shout.id,))
    assert copy.mentions == () and all(not event.mentioned for event in sent.events)
    assert not reads.unread_mention_rooms(session, carol.id)


def test_deleted_messages_too_many_and_none_are_refused(session, alice, general, monkeypatch):
    gone = messages.post_message(session, general.id, alice.id, "gone")
    messages.delete_message(session, gone.id, alice.id)
    with pytest.raises(messages.NotAllowed, match="deleted"):
        message_actions.forward_messages(session, alice.id, general.id, (gone.id,))
    monkeypatch.setattr(settings, "FORWARD_MAX_MESSAGES", 1)
    kept = messages.post_message(session, general.id, alice.id, "kept")
    with pytest.raises(messages.InvalidMessage, match="at most 1"):
        message_actions.forward_messages(session, alice.id, general.id, (kept.id, gone.id))
    with pytest.raises(messages.InvalidMessage, match="Choose"):
        message_actions.forward_messages(session, alice.id, general.id, ())


def test_a_messages_files_are_not_copied_and_the_copy_says_so(session, alice, general, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    try:
        path = tmp_path / "incoming"
        path.write_bytes(b"hello notes")
        kept = attachments.store(session, alice.id, general.id, "notes.txt", path)
        sent = messages.post(session, general.id, alice.id, "", file_ids=(kept.id,)).message
        copy = message_actions.forward_messages(session, alice.id, general.id, (sent.id,)).value[0]
        assert (copy.body, copy.files) == ("(1 file not forwarded)", ())
    finally:
        storage.default.cache_clear()


def test_a_forwarding_is_one_transaction_a_failing_copy_posts_nothing(session, alice, bob, general, monkeypatch):
    originals = [messages.post_message(session, general.id, alice.id, text) for text in ("one", "two")]
    dm = members.open_direct(session, bob.id, ["alice"])
    post, calls = messages.post, []

    def failing_on_the_last_copy(db, room_id, *args):
        calls.append(room_id)
        if len(calls) == 3:
            raise messages.InvalidMessage("the disk is full")
        return post(db, room_id, *args)

    monkeypatch.setattr(messages, "post", failing_on_the_last_copy)
    with pytest.raises(messages.InvalidMessage, match="disk is full"):
        message_actions.forward_messages(session, bob.id, dm.id, tuple(m.id for m in originals), "see these")
    assert calls == [dm.id] * 3
    monkeypatch.setattr(messages, "post", post)
    assert messages.newest_messages(session, dm.id) == []  # the comment and the first copy went with it
    assert len(message_actions.forward_messages(session, bob.id, dm.id, (originals[0].id,), "again").value) == 2
