"""Rooms (slugs, duplicates) and messages (limits, ordering, newest-50 window, after-id)."""

import pytest
from sqlalchemy import text

from djangochat_rx import settings
from djangochat_rx.domain import messages, reads, rooms


def test_create_room_derives_a_slug(session, alice):
    room = rooms.create_room(session, "  General Chat!  ", "Hello", alice.id)
    assert (room.name, room.slug, room.description) == ("General Chat!", "general-chat", "Hello")
    assert rooms.room_by_slug(session, "general-chat").id == room.id


def test_room_names_are_unique_case_insensitively(session, alice, general):
    with pytest.raises(rooms.RoomNameTaken, match="already exists"):
        rooms.create_room(session, "GENERAL", "", alice.id)


def test_distinct_names_with_the_same_slug_get_numbered_slugs(session, alice):
    first = rooms.create_room(session, "Café", "", alice.id)
    second = rooms.create_room(session, "Cafe", "", alice.id)
    third = rooms.create_room(session, "café!", "", alice.id)
    assert [first.slug, second.slug, third.slug] == ["cafe", "cafe-2", "cafe-3"]


def test_names_without_latin_letters_still_get_a_slug(session, alice):
    assert rooms.create_room(session, "!!!", "", alice.id).slug == "room"
    assert rooms.create_room(session, "日本語", "", alice.id).slug


@pytest.mark.parametrize(
    ("name", "description", "error"),
    [
        ("", "", "1–64 characters"),
        ("   ", "", "1–64 characters"),
        ("x" * 65, "", "1–64 characters"),
        ("ok", "d" * 501, "at most 500"),
        ("bad\x00name", "", "control, invisible or text-direction characters"),
    ],
)
def test_invalid_rooms_are_refused(session, alice, name, description, error):
    with pytest.raises(rooms.InvalidRoom, match=error):
        rooms.create_room(session, name, description, alice.id)


def test_unknown_slug_raises_room_not_found(session):
    with pytest.raises(rooms.RoomNotFound):
        rooms.room_by_slug(session, "nope")


def test_the_rooms_list_shows_message_counts_most_active_first(session, alice, general):
    quiet = rooms.create_room(session, "Quiet", "", alice.id)
    busy = rooms.create_room(session, "Busy", "", alice.id)
    for _ in range(3):
        messages.post_message(session, busy.id, alice.id, "hi")
    listed = reads.room_summaries(session, None)
    # Most recently active first; a room without messages is as active as when it was made.
    assert [r.slug for r in listed] == ["busy", "quiet", "general"]
    assert listed[0].message_count == 3 and quiet.message_count == 0


@pytest.mark.parametrize("body", ["", "   ", "\n\t ", "\x00\x01"])
def test_empty_messages_are_refused(session, alice, general, body):
    with pytest.raises(messages.InvalidMessage, match="Type a message"):
        messages.post_message(session, general.id, alice.id, body)
    assert messages.newest_messages(session, general.id) == []


def test_message_limit_is_4000_characters_after_trimming(session, alice, general):
    assert messages.post_message(session, general.id, alice.id, "  " + "x" * 4000 + "  ").body == "x" * 4000
    with pytest.raises(messages.InvalidMessage, match="limit is 4000"):
        messages.post_message(session, general.id, alice.id, "x" * 4001)
    assert len(messages.newest_messages(session, general.id)) == 1


def test_markup_is_stored_verbatim_and_control_characters_are_removed(session, alice, general):
    body = messages.post_message(session, general.id, alice.id, "<img src=x onerror=alert(1)>\x00\r\nline 2").body
    assert body == "<img src=x onerror=alert(1)>\nline 2"


def test_posting_to_a_missing_room_raises_room_not_found(session, alice):
    with pytest.raises(rooms.RoomNotFound):
        messages.post_message(session, 999, alice.id, "hello")


def test_newest_window_is_the_last_50_oldest_first(session, alice, bob, general):
    for i in range(60):
        messages.post_message(session, general.id, (alice if i % 2 else bob).id, f"m{i}")
    window = messages.newest_messages(session, general.id)
    assert len(window) == settings.ROOM_WINDOW == 50
    assert [m.body for m in window] == [f"m{i}" for i in range(10, 60)]
    assert [m.author for m in window[:2]] == ["bob", "alice"]


def test_messages_after_an_id_are_in_order_and_bounded(session, alice, general):
    posted = [messages.post_message(session, general.id, alice.id, f"m{i}") for i in range(10)]
    after = messages.messages_after(session, general.id, posted[6].id)
    assert [m.body for m in after] == ["m7", "m8", "m9"]
    assert len(messages.messages_after(session, general.id, 0, limit=4)) == 4


def test_rooms_do_not_see_each_others_messages(session, alice, general):
    other = rooms.create_room(session, "Other", "", alice.id)
    messages.post_message(session, other.id, alice.id, "elsewhere")
    assert messages.newest_messages(session, general.id) == []


def test_room_window_and_cursor_queries_use_the_room_id_index(session, general):
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # An empty table has no statistics; make the planner show whether the index can serve the query.
        session.execute(text("SET enable_seqscan = off"))
        session.execute(text("SET enable_bitmapscan = off"))
    explain = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    for query in (
        "SELECT * FROM messages WHERE room_id = 1 ORDER BY id DESC LIMIT 50",
        "SELECT * FROM messages WHERE room_id = 1 AND id > 5 ORDER BY id LIMIT 50",
        "SELECT * FROM messages WHERE room_id = 1 AND id < 90 ORDER BY id DESC LIMIT 50",
        "SELECT * FROM messages WHERE room_id = 1 AND id > 5 AND id < 90 ORDER BY id LIMIT 50",
    ):
        plan = " ".join(str(row) for row in session.execute(text(f"{explain} {query}")))
        assert "ix_messages_room_id_id" in plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan


def test_migrations_create_exactly_the_models_schema(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from djangochat_rx import db
    from djangochat_rx.domain import search

    engine = db.make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": search.in_models})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_a_retried_send_with_the_same_client_id_is_saved_once(session, alice, bob, general):
    first = messages.post_message(session, general.id, alice.id, "only once", client_id="c-1")
    again = messages.post_message(session, general.id, alice.id, "only once", client_id="c-1")
    assert again == first
    other_author = messages.post_message(session, general.id, bob.id, "mine", client_id="c-1")
    assert other_author.id != first.id
    assert [m.body for m in messages.newest_messages(session, general.id)] == ["only once", "mine"]
    assert rooms.room_by_slug(session, general.slug).message_count == 2


def test_a_different_message_under_a_reused_client_id_is_still_posted(session, alice, general):
    first = messages.post_message(session, general.id, alice.id, "first", client_id="stale")
    second = messages.post_message(session, general.id, alice.id, "second", client_id="stale")
    assert second.id != first.id
    assert [m.body for m in messages.newest_messages(session, general.id)] == ["first", "second"]


def test_warming_the_send_path_up_at_start_writes_nothing(session, alice, general):
    """messages.warm_up compiles the send's (and a reaction's) statements once at start; it names no row and
    rolls back."""
    messages.warm_up(session)
    assert session.execute(text("SELECT name, message_count FROM rooms")).all() == [("General", 0)]
    assert session.execute(text("SELECT count(*) FROM messages")).scalar() == 0
    assert session.execute(text("SELECT count(*) FROM room_reads WHERE user_id = 0")).scalar() == 0
    assert session.execute(text("SELECT count(*) FROM reactions")).scalar() == 0  # the reactions' warm-up too
    assert messages.post_message(session, general.id, alice.id, "after the warm-up").seq == 1
