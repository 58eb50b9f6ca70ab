"""SQLite under concurrent writers: a write that waits for another writer succeeds (BEGIN IMMEDIATE);
checkpoints of the write-ahead log happen off the commits while the app runs."""

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from djangochat_rx import db, settings
from djangochat_rx.domain import messages, rooms, sessions
from djangochat_rx.models import utcnow


@pytest.fixture
def sqlite_url(db_url: str) -> str:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite locking")
    return db_url


def hold_write_lock(url: str, seconds: float, started: threading.Event) -> None:
    """Another process's writer: holds the write lock for a while, then commits."""
    connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE rooms SET description = 'busy'")
    started.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


@pytest.mark.parametrize("write", ["post_message", "create_room", "touch_session"])
def test_a_write_waits_for_another_writer_instead_of_failing(sqlite_url, alice, general, write):
    """create_room reads (is the name taken?) before it writes: a deferred transaction would fail
    with "database is locked" when the other writer commits in between; BEGIN IMMEDIATE waits."""
    engine = db.make_engine(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        token = sessions.issue(session, alice.id)
        session.execute(text("UPDATE sessions SET last_seen_at = :t"), {"t": utcnow() - timedelta(minutes=5)})
        session.commit()
        started = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(sqlite_url, 0.3, started))
        holder.start()
        assert started.wait(5)
        if write == "post_message":
            assert messages.post_message(session, general.id, alice.id, "waited").body == "waited"
        elif write == "create_room":
            assert rooms.create_room(session, "Waited", "", alice.id).slug == "waited"
        else:
            assert sessions.resolve(session, token) is not None
        holder.join()
    engine.dispose()


def test_a_writer_asks_again_for_the_lock_until_its_time_is_up_and_other_statements_wait_as_before(
    sqlite_url, alice, general, monkeypatch
):
    """db._begin_immediate asks for the write lock every half millisecond (not SQLite's ever longer sleeps) and
    gives up after SQLITE_BUSY_TIMEOUT_MS like the busy handler did; the connection's busy timeout is back after."""
    monkeypatch.setattr(settings, "SQLITE_BUSY_TIMEOUT_MS", 100)
    engine = db.make_engine(sqlite_url)
    with Session(engine, expire_on_commit=False) as session:
        started = threading.Event()
        holder = threading.Thread(target=hold_write_lock, args=(sqlite_url, 0.6, started))
        holder.start()
        assert started.wait(5)
        with pytest.raises(OperationalError, match="database is locked"):
            messages.post_message(session, general.id, alice.id, "gave up")
        session.rollback()
        holder.join()
        assert messages.post_message(session, general.id, alice.id, "after").body == "after"
        assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 100
        session.rollback()
    engine.dispose()


def autocheckpoint(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


async def test_while_the_app_runs_commits_leave_checkpoints_to_a_thread_of_their_own(
    sqlite_url, alice, general, monkeypatch
):
    """A checkpoint inside a commit put 4-5 ms on one send in ~80: the running app's connections do
    none (wal_autocheckpoint=0) and db.checkpointing copies the log back in the background."""
    engine = db.make_engine(sqlite_url)
    done: list[tuple[int, int, int]] = []
    real_checkpoint = db.checkpoint

    def checkpoint(engine):
        done.append(real_checkpoint(engine))
        return done[-1]

    monkeypatch.setattr(db, "checkpoint", checkpoint)
    assert autocheckpoint(engine) == 1000  # SQLite's default, outside the running app
    async with db.checkpointing(engine, interval=0.05):
        assert autocheckpoint(engine) == 0
        with Session(engine, expire_on_commit=False) as session:
            for n in range(20):
                messages.post_message(session, general.id, alice.id, f"message {n}")
        deadline = time.monotonic() + 5
        while not any(log > 0 and copied == log for _, log, copied in done) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert any(log > 0 and copied == log for _, log, copied in done), done
    assert autocheckpoint(engine) == 1000
    engine.dispose()
