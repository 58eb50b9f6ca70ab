"""Revisions on a database with history: 0003 gives existing messages per-room seqs, 0005 indexes them for
search; each reverses cleanly."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from alembic import command
from djangochat_rx import db
from djangochat_rx.domain import messages, search


def _insert(connection: sa.Connection, sql: str, **params) -> int:
    return connection.execute(sa.text(f"{sql} RETURNING id"), params).scalar_one()


def _insert_alice(connection) -> int:
    """A user row written with plain SQL (the models may be ahead of the revision under test); its id."""
    return _insert(
        connection,
        "INSERT INTO users (username, username_key, password_hash, is_active, is_admin, created_at) "
        "VALUES ('alice', 'alice', 'x', :yes, :no, CURRENT_TIMESTAMP)",
        yes=True,
        no=False,
    )


def _history_at_0002(url: str) -> dict[str, int]:
    """A database at revision 0002 holding seven messages in two rooms, interleaved, with stale counters."""
    command.upgrade(db.alembic_config(url), "0002")
    engine = db.make_engine(url)
    with engine.begin() as connection:
        user = _insert_alice(connection)
        room_ids = {
            slug: _insert(
                connection,
                "INSERT INTO rooms (slug, name, name_key, description, created_at, message_count) "
                "VALUES (:slug, :slug, :slug, '', CURRENT_TIMESTAMP, 0)",
                slug=slug,
            )
            for slug in ("a", "b", "empty")
        }
        for i, slug in enumerate("abaabab"):
            _insert(
                connection,
                "INSERT INTO messages (room_id, author_id, body, created_at) "
                "VALUES (:room, :user, :body, CURRENT_TIMESTAMP)",
                room=room_ids[slug],
                user=user,
                body=f"{slug}{i}",
            )
    engine.dispose()
    return {**room_ids, "user": user}


def _rows(url: str, sql: str) -> list[tuple]:
    engine = db.make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(sql)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _seqs(url: str) -> list[tuple]:
    return _rows(url, "SELECT body, seq FROM messages ORDER BY id")


def _message_counts(url: str) -> list[tuple]:
    return _rows(url, "SELECT slug, message_count FROM rooms ORDER BY slug")


def test_upgrade_numbers_existing_messages_per_room_in_id_order(blank_db_url):
    ids = _history_at_0002(blank_db_url)
    command.upgrade(db.alembic_config(blank_db_url), "head")
    assert _seqs(blank_db_url) == [("a0", 1), ("b1", 1), ("a2", 2), ("a3", 3), ("b4", 2), ("a5", 4), ("b6", 3)]
    assert _message_counts(blank_db_url) == [("a", 4), ("b", 3), ("empty", 0)]
    engine = db.make_engine(blank_db_url)
    with Session(engine, expire_on_commit=False) as session:
        assert messages.post_message(session, ids["a"], ids["user"], "next").seq == 5
        assert messages.post_message(session, ids["empty"], ids["user"], "first").seq == 1
    engine.dispose()


def test_downgrade_to_0002_and_upgrade_again_keeps_the_messages(blank_db_url):
    _history_at_0002(blank_db_url)
    config = db.alembic_config(blank_db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "0002")
    engine = db.make_engine(blank_db_url)
    inspector = sa.inspect(engine)
    assert not {"room_reads", "mentions"} & set(inspector.get_table_names())
    assert not {"seq", "edited_at", "deleted_at"} & {column["name"] for column in inspector.get_columns("messages")}
    engine.dispose()
    command.upgrade(config, "head")
    assert [seq for _, seq in _seqs(blank_db_url)] == [1, 1, 2, 3, 2, 4, 3]


def test_sqlite_messages_table_keeps_autoincrement_through_the_rebuild(db_url):
    """Ids must never be reused (they are cursors); SQLite's batch rebuild would otherwise drop AUTOINCREMENT."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    engine = db.make_engine(db_url)
    with engine.connect() as connection:
        sql = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'messages'")).scalar_one()
    engine.dispose()
    assert "AUTOINCREMENT" in sql


def test_0005_indexes_existing_messages_for_search_and_reverses_cleanly(blank_db_url):
    config = db.alembic_config(blank_db_url)
    command.upgrade(config, "0004")
    engine = db.make_engine(blank_db_url)
    with engine.begin() as connection:
        user = _insert_alice(connection)
        room = _insert(
            connection,
            "INSERT INTO rooms (slug, name, name_key, description, created_at, message_count) "
            "VALUES ('old', 'Old', 'old', '', CURRENT_TIMESTAMP, 2)",
        )
        old = [
            _insert(
                connection,
                "INSERT INTO messages (room_id, seq, author_id, body, created_at) "
                "VALUES (:room, :seq, :user, :body, CURRENT_TIMESTAMP)",
                room=room,
                seq=seq,
                user=user,
                body=body,
            )
            for seq, body in ((1, "archived wisdom"), (2, "more wisdom"))
        ]
    engine.dispose()

    def found(text: str) -> list[int]:
        engine = db.make_engine(blank_db_url)
        with Session(engine) as session:
            hits = [hit.message_id for hit in search.search(session, user, text)]
        engine.dispose()
        return hits

    command.upgrade(config, "head")
    assert sorted(found("wisdom")) == old
    command.downgrade(config, "0004")
    engine = db.make_engine(blank_db_url)
    inspector = sa.inspect(engine)
    assert not [name for name in inspector.get_table_names() if name.startswith("messages_fts")]
    assert "search_vector" not in {column["name"] for column in inspector.get_columns("messages")}
    engine.dispose()
    command.upgrade(config, "head")
    assert found("archived") == [old[0]]


def test_0009_keeps_an_instance_with_users_open_and_leaves_an_empty_one_to_its_setup_page(blank_db_url, tmp_path):
    config = db.alembic_config(blank_db_url)
    command.upgrade(config, "0008")
    engine = db.make_engine(blank_db_url)
    with engine.begin() as connection:
        _insert_alice(connection)
    engine.dispose()
    command.upgrade(config, "head")
    assert _rows(blank_db_url, "SELECT key, value FROM site_settings") == [("signup_mode", "open")]
    command.downgrade(config, "0008")
    command.upgrade(config, "head")

    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    command.upgrade(db.alembic_config(empty), "head")
    assert _rows(empty, "SELECT key, value FROM site_settings") == []
