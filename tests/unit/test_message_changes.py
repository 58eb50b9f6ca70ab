"""Editing and deleting: only the author, only for a while after sending, and a deletion erases the text."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from djangochat_rx import settings
from djangochat_rx.domain import messages, reads, rooms


def sent_at(view: messages.MessageView) -> datetime:
    return datetime.fromisoformat(view.created_at)


@pytest.fixture
def posted(session, alice, general) -> messages.MessageView:
    return messages.post_message(session, general.id, alice.id, "helo **world**")


def test_the_author_can_edit_a_message_and_everyone_sees_it_edited(session, alice, general, posted):
    edited = messages.edit_message(session, posted.id, alice.id, "  hello *world*  ")
    assert (edited.body, edited.edited, edited.seq, edited.id) == ("hello *world*", True, posted.seq, posted.id)
    assert "<em>world</em>" in edited.html
    assert messages.newest_messages(session, general.id) == [edited]
    assert not posted.edited


def test_editing_to_the_same_text_is_allowed(session, alice, posted):
    assert messages.edit_message(session, posted.id, alice.id, posted.body).body == posted.body


def test_an_edit_is_validated_like_a_new_message(session, alice, posted):
    with pytest.raises(messages.InvalidMessage, match="Type a message"):
        messages.edit_message(session, posted.id, alice.id, "   ")
    with pytest.raises(messages.InvalidMessage, match="limit is 4000"):
        messages.edit_message(session, posted.id, alice.id, "x" * 4001)


def test_nobody_else_can_edit_delete_or_read_the_source_of_a_message(session, bob, general, posted):
    for change in (
        lambda: messages.edit_message(session, posted.id, bob.id, "mine now"),
        lambda: messages.delete_message(session, posted.id, bob.id),
        lambda: messages.message_source(session, posted.id, bob.id),
    ):
        with pytest.raises(messages.NotAllowed, match="only change your own messages"):
            change()
    assert messages.newest_messages(session, general.id) == [posted]


def test_messages_can_be_changed_for_the_edit_window_only(session, alice, posted):
    last_chance = sent_at(posted) + timedelta(minutes=settings.EDIT_WINDOW_MINUTES)
    assert messages.edit_message(session, posted.id, alice.id, "in time", now=last_chance).body == "in time"
    late = last_chance + timedelta(seconds=1)
    for change in (
        lambda: messages.edit_message(session, posted.id, alice.id, "too late", now=late),
        lambda: messages.delete_message(session, posted.id, alice.id, now=late),
        lambda: messages.message_source(session, posted.id, alice.id, now=late),
    ):
        with pytest.raises(messages.NotAllowed, match="only be changed for 15 minutes after sending"):
            change()


def test_the_refusal_names_the_configured_window(session, alice, posted, monkeypatch):
    monkeypatch.setattr(settings, "EDIT_WINDOW_MINUTES", 5)
    with pytest.raises(messages.NotAllowed, match="for 5 minutes"):
        messages.edit_message(session, posted.id, alice.id, "late", now=sent_at(posted) + timedelta(minutes=6))


def test_a_message_in_another_room_or_unknown_is_not_found(session, alice, posted):
    elsewhere = rooms.create_room(session, "Elsewhere", "", alice.id)
    for change in (
        lambda: messages.edit_message(session, posted.id, alice.id, "x", room_id=elsewhere.id),
        lambda: messages.delete_message(session, posted.id, alice.id, room_id=elsewhere.id),
        lambda: messages.message_source(session, posted.id, alice.id, room_id=elsewhere.id),
        lambda: messages.edit_message(session, posted.id + 1000, alice.id, "x"),
    ):
        with pytest.raises(messages.MessageNotFound, match="Message not found"):
            change()
    assert messages.edit_message(session, posted.id, alice.id, "right room", room_id=posted.room_id).edited


def test_deleting_leaves_a_placeholder_and_erases_the_text(session, alice, bob, general, posted):
    after = messages.post_message(session, general.id, bob.id, "a reply")
    deleted = messages.delete_message(session, posted.id, alice.id)
    assert (deleted.id, deleted.seq, deleted.author, deleted.deleted) == (posted.id, 1, "alice", True)
    assert (deleted.body, deleted.html, deleted.mentions) == ("", "", ())
    assert messages.newest_messages(session, general.id) == [deleted, after]
    stored = session.execute(text("SELECT body FROM messages WHERE id = :id"), {"id": posted.id}).scalar_one()
    assert stored == ""
    assert rooms.room_by_slug(session, general.slug).message_count == 2


def test_a_deleted_message_cannot_be_edited_or_deleted_again(session, alice, posted):
    messages.delete_message(session, posted.id, alice.id)
    for change in (
        lambda: messages.edit_message(session, posted.id, alice.id, "back"),
        lambda: messages.delete_message(session, posted.id, alice.id),
        lambda: messages.message_source(session, posted.id, alice.id),
    ):
        with pytest.raises(messages.NotAllowed, match="was deleted"):
            change()


def test_the_editor_gets_the_typed_source(session, alice, posted):
    assert messages.message_source(session, posted.id, alice.id) == "helo **world**"
    assert messages.post_message(session, posted.room_id, alice.id, "the session is still usable").seq == 2


def test_an_edit_replaces_the_mentions(session, alice, bob, carol, general):
    posted = messages.post_message(session, general.id, alice.id, "@bob have a look")
    edited = messages.edit_message(session, posted.id, alice.id, "@carol have a look")
    assert (posted.mentions, edited.mentions) == (("bob",), ("carol",))
    assert '<span class="mention">@carol</span>' in edited.html and edited.html.count("mention") == 1
    assert reads.unread_mention_rooms(session, bob.id) == []
    assert reads.unread_mention_rooms(session, carol.id) == ["general"]
    assert messages.newest_messages(session, general.id)[0].mentions == ("carol",)


def test_deleting_removes_the_mentions(session, alice, bob, general):
    posted = messages.post_message(session, general.id, alice.id, "@bob have a look")
    messages.delete_message(session, posted.id, alice.id)
    assert reads.unread_mention_rooms(session, bob.id) == []
    assert not reads.room_summaries(session, bob.id)[0].mentioned
