"""Read markers, unread counts and unread mentions, and the rooms list built from them."""

import threading
import time

import pytest
from sqlmodel import Session

from djangochat_rx import db
from djangochat_rx.domain import admin, messages, reads, rooms
from djangochat_rx.models import Room, as_utc


def post(session, room, author, count: int = 1, text: str = "hi") -> list[messages.MessageView]:
    return [messages.post_message(session, room.id, author.id, text) for _ in range(count)]


def summary(session, user, slug: str) -> reads.RoomSummary:
    return next(room for room in reads.room_summaries(session, user.id) if room.slug == slug)


def test_a_room_never_opened_has_nothing_read(session, bob, general):
    assert reads.read_seq(session, bob.id, general.id) == 0


def test_the_read_marker_only_moves_forward_and_never_past_the_newest_message(session, alice, bob, general):
    post(session, general, alice, 5)
    assert reads.mark_read(session, bob.id, general.id, 3) == 3
    assert reads.mark_read(session, bob.id, general.id, 2) == 3
    assert reads.read_seq(session, bob.id, general.id) == 3
    assert reads.mark_read(session, bob.id, general.id, 99) == 5
    assert reads.mark_read(session, bob.id, general.id, -1) == 5
    assert reads.read_seq(session, bob.id, general.id) == 5


def test_marking_an_empty_room_read_stores_zero(session, bob, general):
    assert reads.mark_read(session, bob.id, general.id, 10) == 0
    assert reads.read_seq(session, bob.id, general.id) == 0


def test_marking_a_missing_room_read_raises_room_not_found(session, bob):
    with pytest.raises(rooms.RoomNotFound):
        reads.mark_read(session, bob.id, 999, 1)


def test_others_messages_are_unread_and_ones_own_are_not(session, alice, bob, general):
    post(session, general, alice, 3)
    assert (summary(session, alice, "general").unread, summary(session, bob, "general").unread) == (0, 3)
    reads.mark_read(session, bob.id, general.id, 2)
    post(session, general, bob)
    assert (summary(session, alice, "general").unread, summary(session, bob, "general").unread) == (1, 0)
    assert summary(session, bob, "general").read_seq == 4


def test_a_mention_flags_the_room_until_it_is_read(session, alice, bob, general):
    quiet = rooms.create_room(session, "Quiet", "", alice.id)
    post(session, quiet, alice, text="@bob not you")
    reads.mark_read(session, bob.id, quiet.id, 1)
    mention = post(session, general, alice, text="@bob look")[0]
    post(session, general, alice, 2)
    assert (summary(session, bob, "general").mentioned, summary(session, bob, "quiet").mentioned) == (True, False)
    assert reads.unread_mention_rooms(session, bob.id) == ["general"]
    assert not summary(session, alice, "general").mentioned
    reads.mark_read(session, bob.id, general.id, mention.seq - 1)
    assert reads.unread_mention_rooms(session, bob.id) == ["general"]
    reads.mark_read(session, bob.id, general.id, mention.seq)
    assert not summary(session, bob, "general").mentioned and summary(session, bob, "general").unread == 2
    assert reads.unread_mention_rooms(session, bob.id) == []


def test_mention_marks_give_each_mentioned_user_their_unread_mention_rooms(
    session, alice, bob, carol, general, count_queries
):
    other = rooms.create_room(session, "Other", "", alice.id)
    post(session, other, alice, text="@bob")
    posted = post(session, general, alice, text="@Bob and @carol")[0]
    reads.mark_read(session, carol.id, general.id, posted.seq)
    assert posted.mentions == ("bob", "carol")
    with count_queries() as queries:
        assert reads.mention_marks(session, posted.mentions) == {"bob": ["general", "other"]}
    assert len(queries) == 1
    assert reads.mention_marks(session, []) == {}


def test_the_shared_summaries_have_nothing_read_and_no_mentions(session, alice, bob, general):
    post(session, general, alice, 2, text="@bob hi")
    shared = reads.room_summaries(session, None)
    assert [(room.slug, room.read_seq, room.unread, room.mentioned) for room in shared] == [("general", 0, 2, False)]
    assert shared[0].last_preview == "@bob hi"


def test_summaries_describe_each_rooms_newest_message_in_list_rooms_order(session, alice, bob, general):
    empty = rooms.create_room(session, "Empty", "nothing yet", alice.id)
    busy = rooms.create_room(session, "Busy", "", alice.id)
    post(session, general, alice)
    last = post(session, busy, bob, text="**Big** news:\n\n- one\n- two")[0]
    summaries = reads.room_summaries(session, alice.id)
    assert [room.slug for room in summaries] == [room.slug for room in reads.room_summaries(session, None)]
    assert [room.slug for room in summaries] == ["busy", "general", "empty"]
    assert summaries[0] == reads.RoomSummary(
        id=busy.id,
        slug="busy",
        name="Busy",
        description="",
        message_count=1,
        last_message_at=last.created_at,
        last_author="bob",
        last_preview="Big news: one two",
        read_seq=0,
        unread=1,
        mentioned=False,
        active_at=last.created_at,
    )
    assert summaries[2] == reads.RoomSummary(
        id=empty.id,
        slug="empty",
        name="Empty",
        description="nothing yet",
        message_count=0,
        last_message_at="",
        last_author="",
        last_preview="",
        read_seq=0,
        unread=0,
        mentioned=False,
        active_at=as_utc(session.get(Room, empty.id).created_at).isoformat(),  # no message: its creation
    )


def test_a_deleted_newest_message_shows_as_deleted_in_the_summary(session, alice, general):
    messages.delete_message(session, post(session, general, alice, text="secret")[0].id, alice.id)
    assert (summary(session, alice, "general").last_preview, summary(session, alice, "general").last_author) == (
        "message deleted",
        "alice",
    )


def test_a_newest_message_removed_by_a_moderator_says_so_in_the_summary(session, alice, bob, general):
    moderator = admin.create_superuser(session, "mod", "correct horse", "correct horse")
    posted = post(session, general, bob, text="spam")[0]
    admin.remove_message(session, moderator.id, posted.id)
    assert summary(session, alice, "general").last_preview == "removed by a moderator"


@pytest.mark.parametrize("room_count", [1, 30])
def test_summaries_take_the_same_few_queries_however_many_rooms(session, alice, bob, count_queries, room_count):
    for i in range(room_count):
        room = rooms.create_room(session, f"Room {i}", "", alice.id)
        post(session, room, alice, 2, text="@bob hello")
        reads.mark_read(session, bob.id, room.id, i % 2)
    with count_queries() as queries:
        summaries = reads.room_summaries(session, bob.id)
    assert len(queries) == 1
    assert len(summaries) == room_count and all(room.mentioned for room in summaries)
    assert sorted(room.unread for room in summaries) == sorted(2 - i % 2 for i in range(room_count))
    with count_queries() as queries:
        assert len(reads.unread_mention_rooms(session, bob.id)) == room_count
    assert len(queries) == 1


def test_two_connections_creating_the_same_marker_both_succeed(db_url, session, alice, bob, general):
    """The second insert of a user's first marker loses the race (Postgres: a key violation) and moves it forward."""
    post(session, general, alice, 5)
    engine = db.make_engine(db_url)
    first = Session(engine, expire_on_commit=False)
    db.begin_write(first)
    reads.move_marker(first, bob.id, general.id, 2)
    results = []

    def mark_read_elsewhere() -> None:
        with Session(engine, expire_on_commit=False) as other:
            results.append(reads.mark_read(other, bob.id, general.id, 4))

    second = threading.Thread(target=mark_read_elsewhere)
    second.start()
    time.sleep(0.3)  # the second connection is now waiting for the first one's lock
    first.commit()
    first.close()
    second.join(10)
    engine.dispose()
    assert results == [4]
    assert reads.read_seq(session, bob.id, general.id) == 4
