"""Retention: messages older than the policy in force go, with their files, reactions, mentions and thread
replies, in short batches, audited; pins kept by option; search and unread counts stay consistent; owners may
only shorten a room's policy."""

from datetime import timedelta

import pytest
from sqlalchemy import case, update
from sqlmodel import func, select

from djangochat_rx import settings
from djangochat_rx.domain import (
    admin,
    attachments,
    members,
    messages,
    pins,
    reactions,
    reads,
    retention,
    rooms,
    search,
    threads,
)
from djangochat_rx.infra import storage
from djangochat_rx.models import Attachment, AuditEntry, Mention, Message, Reaction, Room, utcnow
from tests.unit.conftest import make_admin


def age(session, message_id: int, days: int) -> None:
    """Make a message, and its thread's replies so far, `days` old."""
    then = utcnow() - timedelta(days=days)
    session.execute(update(Message).where(Message.thread_id == message_id).values(created_at=then))
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(created_at=then, last_reply_at=case((Message.last_reply_at.is_(None), None), else_=then))
    )
    session.commit()


def bodies(session, room_id: int) -> list[str]:
    return [view.body for view in messages.newest_messages(session, room_id)]


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    storage.default.cache_clear()
    yield tmp_path
    storage.default.cache_clear()


def test_old_messages_go_with_their_files_reactions_mentions_and_threads(session, alice, bob, general, files):
    upload = files / "old.txt"
    upload.write_bytes(b"old news")
    kept_file = attachments.store(session, alice.id, general.id, "old.txt", upload)
    old = messages.post(session, general.id, alice.id, "ancient plan @bob", file_ids=[kept_file.id]).message
    reactions.toggle(session, bob.id, old.id, "👍")
    threads.post_reply(session, old.id, bob.id, "an old reply")
    busy = messages.post_message(session, general.id, alice.id, "old thread, still talked about")
    pinned = messages.post_message(session, general.id, alice.id, "old but pinned")
    pins.pin(session, alice.id, pinned.id)
    recent = messages.post_message(session, general.id, bob.id, "fresh news")
    for message in (old, busy, pinned):
        age(session, message.id, 40)
    threads.post_reply(session, busy.id, bob.id, "a reply today")
    assert search.search(session, bob.id, "ancient")

    purged = retention.purge(session, general.id, 30)

    assert (purged.messages, purged.replies, purged.files) == (1, 1, 1)
    assert bodies(session, general.id) == ["old thread, still talked about", "old but pinned", "fresh news"]
    assert session.exec(select(func.count()).select_from(Reaction)).one() == 0
    assert session.exec(select(func.count()).select_from(Mention).where(Mention.message_id == old.id)).one() == 0
    assert session.get(Attachment, kept_file.id).discarded_at is not None
    assert search.search(session, bob.id, "ancient") == [] and search.search(session, bob.id, "fresh")
    assert session.get(Room, general.id).purged_seq == old.seq
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "retention.delete")).all()
    assert entry.detail == "1 messages, 1 replies, 1 files older than 30 days" and entry.actor_id is None
    assert retention.purge(session, general.id, 30).messages == 0  # nothing twice
    assert recent.id in [view.id for view in messages.newest_messages(session, general.id)]


def test_pins_go_too_when_the_policy_says_so_and_unread_counts_skip_what_went(session, alice, bob, general):
    root = make_admin(session, alice)
    retention.set_policy(session, root.id, 30, keep_pinned=False)
    posted = [messages.post_message(session, general.id, alice.id, f"message {n}") for n in range(5)]
    pins.pin(session, alice.id, posted[1].id)
    for message in posted[:3]:
        age(session, message.id, 31)
    [summary] = [row for row in reads.room_summaries(session, bob.id) if row.id == general.id]
    assert summary.unread == 5
    assert retention.purge(session, general.id, 30, batch=2).messages == 3  # in two transactions
    [summary] = [row for row in reads.room_summaries(session, bob.id) if row.id == general.id]
    assert (summary.unread, summary.read_seq) == (2, 3)
    assert bodies(session, general.id) == ["message 3", "message 4"]
    assert retention.due_rooms(session) == [(general.id, 30)]


def test_one_call_deletes_at_most_its_share_and_the_next_goes_on(session, alice, general):
    for n in range(5):
        age(session, messages.post_message(session, general.id, alice.id, f"old {n}").id, 10)
    assert retention.purge(session, general.id, 7, batch=2, most=3).messages == 4  # two whole batches
    assert retention.purge(session, general.id, 7, batch=2, most=3).messages == 1


def test_owners_only_shorten_and_administrators_set_any(session, alice, bob, carol, general):
    root = make_admin(session, carol)
    assert retention.room_days(session, general.id) == 0
    assert retention.set_room_policy(session, alice.id, general.id, 90) == 90  # nothing in force: any
    assert retention.set_room_policy(session, alice.id, general.id, 30) == 30
    for days in (60, 0):
        with pytest.raises(retention.RetentionError, match="only shorten"):
            retention.set_room_policy(session, alice.id, general.id, days)
    with pytest.raises(rooms.NotOwner):
        retention.set_room_policy(session, bob.id, general.id, 10)
    with pytest.raises(retention.RetentionError, match="1 to 3650"):
        retention.set_room_policy(session, alice.id, general.id, 99_999)
    assert retention.set_room_policy(session, root.id, general.id, 365) == 365  # an administrator: longer
    retention.set_policy(session, root.id, 180, keep_pinned=True)
    assert retention.set_room_policy(session, root.id, general.id, 0) == 180  # back to the instance's
    assert retention.set_room_policy(session, alice.id, general.id, 0) == 180  # the instance's, as in force
    with pytest.raises(retention.RetentionError, match="only shorten"):
        retention.set_room_policy(session, alice.id, general.id, 200)
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    with pytest.raises(rooms.RoomNotFound):
        retention.set_room_policy(session, bob.id, secret.id, 10)
    direct = members.open_direct(session, alice.id, ["bob"])
    with pytest.raises(rooms.RoomNotFound):
        retention.set_room_policy(session, root.id, direct.id, 10)
    with pytest.raises(admin.NotAdmin):
        retention.set_policy(session, alice.id, 1, keep_pinned=True)
    actions = [entry.action for entry in admin.audit_log(session, root.id)]
    assert actions.count("retention.room") == 5 and actions.count("retention.set") == 1
