"""Edit history: every edit keeps the text it replaced; the versions are for those who may read the room; a
deleted or removed message keeps none."""

from datetime import timedelta

import pytest
from sqlmodel import select

from djangochat_rx.domain import admin, edit_history, messages, rooms
from djangochat_rx.models import MessageEdit, utcnow


def shown(session, user, message) -> list[tuple[str, bool]]:
    return [(version.html, version.current) for version in edit_history.versions(session, user.id, message.id)]


def test_each_edit_keeps_the_text_it_replaced_newest_first_with_when_each_was_written(session, alice, bob, general):
    sent = messages.post_message(session, general.id, alice.id, "lunch at noon")
    assert shown(session, bob, sent) == [("<p>lunch at noon</p>\n", True)]  # never edited: the one version
    start = utcnow()
    messages.edit_message(session, sent.id, alice.id, "lunch at **one**", now=start + timedelta(seconds=5))
    messages.edit_message(session, sent.id, alice.id, "lunch at **one**", now=start + timedelta(seconds=7))
    messages.edit_message(session, sent.id, alice.id, "lunch at two", now=start + timedelta(seconds=9))
    versions = edit_history.versions(session, bob.id, sent.id)
    assert [(version.html, version.current) for version in versions] == [
        ("<p>lunch at two</p>\n", True),
        ("<p>lunch at <strong>one</strong></p>\n", False),  # saving the same text again kept no copy
        ("<p>lunch at noon</p>\n", False),
    ]
    assert versions[0].written_at == (start + timedelta(seconds=9)).isoformat()
    assert versions[1].written_at == (start + timedelta(seconds=5)).isoformat()
    assert versions[2].written_at == sent.created_at


def test_an_earlier_version_is_sanitised_like_a_message(session, alice, bob, general):
    sent = messages.post_message(session, general.id, alice.id, "<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    messages.edit_message(session, sent.id, alice.id, "fixed")
    earlier = edit_history.versions(session, bob.id, sent.id)[1].html
    assert "<img" not in earlier and "href" not in earlier and "&lt;img" in earlier


def test_a_me_message_version_reads_as_one(session, alice, bob, general):
    sent = messages.post_message(session, general.id, alice.id, "/me waves")
    messages.edit_message(session, sent.id, alice.id, "/me waves back")
    assert "alice</span> waves</em>" in edit_history.versions(session, bob.id, sent.id)[1].html


def test_deleting_or_removing_a_message_keeps_none_of_its_versions(session, alice, bob, root, general):
    for remove in (
        lambda message: messages.delete_message(session, message.id, alice.id),
        lambda message: admin.remove_message(session, root.id, message.id),
    ):
        sent = messages.post_message(session, general.id, alice.id, "something I regret")
        messages.edit_message(session, sent.id, alice.id, "something else")
        remove(sent)
        assert session.exec(select(MessageEdit).where(MessageEdit.message_id == sent.id)).all() == []
        with pytest.raises(messages.MessageNotFound):  # for the room's members too
            edit_history.versions(session, bob.id, sent.id)


def test_an_outsider_gets_the_answer_of_a_message_that_does_not_exist(session, alice, bob):
    den = rooms.create_room(session, "Den", "", alice.id, private=True)
    sent = messages.post_message(session, den.id, alice.id, "first plan")
    messages.edit_message(session, sent.id, alice.id, "second plan")
    for message_id in (sent.id, 10**9):
        with pytest.raises(messages.MessageNotFound) as raised:
            edit_history.versions(session, bob.id, message_id)
        assert str(raised.value) == str(messages.MessageNotFound())
    assert len(edit_history.versions(session, alice.id, sent.id)) == 2
