"""Backups of a real SQLite file under write load, restore on a stopped app, and the CLI around them."""

import asyncio
import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from djangochat_rx import db, settings
from djangochat_rx.domain import accounts, messages, rooms
from djangochat_rx.infra import backup


@pytest.fixture
def live(tmp_path: Path, monkeypatch) -> str:
    """The app's database: a migrated SQLite file with a user and a room."""
    url = f"sqlite:///{tmp_path / 'live' / 'chat.db'}"
    db.migrate(url)
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "live" / "uploads")
    return url


def bodies(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {body for (body,) in connection.execute("SELECT body FROM messages")}


def test_a_backup_under_write_load_holds_every_message_acknowledged_before_it(live, tmp_path):
    engine = db.make_engine(live)
    with db.Session(engine, expire_on_commit=False) as session:
        user = accounts.register(session, "writer", "password123", "password123")
        room = rooms.create_room(session, "Busy", "", user.id)
    acknowledged: list[tuple[float, str]] = []
    stop = threading.Event()

    def write() -> None:
        with db.Session(engine, expire_on_commit=False) as session:
            n = 0
            while not stop.is_set():
                messages.post_message(session, room.id, user.id, f"message {n}")
                acknowledged.append((time.monotonic(), f"message {n}"))
                n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 200:
            time.sleep(0.01)
        started = time.monotonic()
        manifest = backup.backup(tmp_path / "backup")
        while len(acknowledged) < manifest["counts"]["messages"] + 100:  # writing went on meanwhile
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    copied = bodies(tmp_path / "backup" / backup.DATABASE_FILE)
    before = {body for at, body in acknowledged if at < started}
    assert before <= copied and len(copied) == manifest["counts"]["messages"]
    assert len(copied) < len(acknowledged)  # a moment's copy, not the end state
    with sqlite3.connect(tmp_path / "backup" / backup.DATABASE_FILE) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    assert json.loads((tmp_path / "backup" / backup.MANIFEST_FILE).read_text())["revision"]


def test_restore_refuses_while_the_app_runs_then_keeps_what_it_replaces(live, tmp_path):
    database = Path(live.removeprefix("sqlite:///"))
    with db.Session(db.make_engine(live)) as session:
        accounts.register(session, "before", "password123", "password123")
    backup.backup(tmp_path / "backup")
    with db.Session(db.make_engine(live)) as session:
        accounts.register(session, "after", "password123", "password123")

    async def restore_while_running() -> None:
        async with backup.running():
            with pytest.raises(backup.BackupError, match="The app is running"):
                backup.restore(tmp_path / "backup")

    asyncio.run(restore_while_running())
    manifest, kept = backup.restore(tmp_path / "backup")
    assert manifest["counts"]["users"] == 1
    with sqlite3.connect(database) as connection:
        assert [name for (name,) in connection.execute("SELECT username FROM users")] == ["before"]
    with sqlite3.connect(kept) as connection:
        assert sorted(name for (name,) in connection.execute("SELECT username FROM users")) == ["after", "before"]


def test_backups_refuse_a_used_folder_a_damaged_copy_and_postgres(live, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("mine")
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.backup(tmp_path / "used")
    backup.backup(tmp_path / "good")
    (tmp_path / "good" / backup.DATABASE_FILE).write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(backup.BackupError, match="is damaged"):
        backup.restore(tmp_path / "good")
    with pytest.raises(backup.BackupError, match="pg_dump --format=custom") as refused:
        backup.backup(tmp_path / "pg", url="postgresql+psycopg://chat:s3cret@db.example/chat")
    assert "s3cret" not in str(refused.value) and "postgresql://chat:***@db.example/chat" in str(refused.value)


def test_the_commands_report_what_they_copied(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli' / 'chat.db'}"
    db.migrate(url)
    with db.Session(db.make_engine(url)) as session:
        accounts.register(session, "someone", "password123", "password123")
    env = {"DATABASE_URL": url, "UPLOAD_DIR": str(tmp_path / "cli" / "uploads"), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "djangochat_rx", *args], env=env, capture_output=True, text=True)

    saved = run("backup", str(tmp_path / "nightly"))
    assert saved.returncode == 0 and "Backed up 1 users, 0 rooms, 0 messages, 0 files" in saved.stderr
    # A backup holds every password hash: the server's account alone reads it.
    assert (tmp_path / "nightly").stat().st_mode & 0o777 == 0o700
    assert {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "nightly").iterdir()} == {
        backup.DATABASE_FILE: 0o600,
        backup.MANIFEST_FILE: 0o600,
    }
    restored = run("restore", str(tmp_path / "nightly"))
    assert restored.returncode == 0 and "Restored 1 users, 0 rooms, 0 messages, 0 files" in restored.stderr
    assert "kept as" in restored.stderr
    again = run("backup", str(tmp_path / "nightly"))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_uploaded_files_are_in_the_backup_and_come_back_with_it(live, tmp_path):
    uploads = settings.UPLOAD_DIR
    (uploads / "ab" / "abcdef").mkdir(parents=True)
    (uploads / "ab" / "abcdef" / "full").write_bytes(b"\x89PNG the picture")
    (uploads / "incoming").mkdir()
    (uploads / "incoming" / "half.upload").write_bytes(b"still arriving")
    manifest = backup.backup(tmp_path / "nightly")
    assert manifest["counts"]["files"] == 1  # the upload in progress is no one's file yet
    assert (tmp_path / "nightly" / "uploads" / "ab" / "abcdef" / "full").read_bytes() == b"\x89PNG the picture"
    # Later the file is gone (its message deleted) and another arrived; restoring brings back the backup's.
    (uploads / "ab" / "abcdef" / "full").unlink()
    (uploads / "cd" / "cdefgh").mkdir(parents=True)
    (uploads / "cd" / "cdefgh" / "full").write_bytes(b"newer")
    manifest, _ = backup.restore(tmp_path / "nightly")
    assert manifest["counts"]["files"] == 1
    assert (uploads / "ab" / "abcdef" / "full").read_bytes() == b"\x89PNG the picture"
    assert not (uploads / "cd").exists()
    (kept,) = uploads.parent.glob("uploads.before-restore-*")
    assert (kept / "cd" / "cdefgh" / "full").read_bytes() == b"newer"  # what it replaced is kept beside
