"""Where the app stores its data: a hidden folder `reflex export` leaves out, and a database left at the
project's root by an older version moved there whole (its write-ahead log holds committed rows)."""

import shutil
import sqlite3

from djangochat_rx import db, settings


def test_the_default_database_lives_in_a_hidden_data_folder():
    path = settings.DEFAULT_DATABASE_URL.removeprefix("sqlite:///")
    assert path == str(settings.DATA_DIR / "djangochat.db")
    assert settings.DATA_DIR.name.startswith(".")  # reflex export skips hidden paths


def test_a_database_left_at_the_root_moves_into_the_data_folder_with_its_log(tmp_path, monkeypatch):
    legacy, data = tmp_path / "djangochat.db", tmp_path / ".data"
    monkeypatch.setattr(settings, "LEGACY_DATABASE", legacy)
    monkeypatch.setattr(settings, "DATA_DIR", data)
    writer = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (x TEXT)")
    writer.execute("INSERT INTO t VALUES ('only in the log')")
    for suffix in ("", "-wal", "-shm"):  # the files as a crashed server leaves them
        shutil.copy(tmp_path / f"live.db{suffix}", tmp_path / f"djangochat.db{suffix}")
    writer.close()

    db.move_legacy_database()
    assert not legacy.exists() and not (tmp_path / "djangochat.db-wal").exists()
    moved = sqlite3.connect(data / "djangochat.db")
    assert moved.execute("SELECT x FROM t").fetchall() == [("only in the log",)]
    moved.close()


def test_an_existing_data_folder_database_is_never_overwritten(tmp_path, monkeypatch):
    legacy, data = tmp_path / "djangochat.db", tmp_path / ".data"
    monkeypatch.setattr(settings, "LEGACY_DATABASE", legacy)
    monkeypatch.setattr(settings, "DATA_DIR", data)
    data.mkdir()
    (data / "djangochat.db").write_bytes(b"current")
    legacy.write_bytes(b"old")
    db.move_legacy_database()
    assert (data / "djangochat.db").read_bytes() == b"current" and legacy.read_bytes() == b"old"


def test_make_migrate_on_a_fresh_clone_creates_the_data_folder(tmp_path):
    """`make migrate` (alembic upgrade head) ran on a folder that did not exist yet: "unable to open
    database file" on a fresh clone. The folder is made first, by alembic/env.py."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DATA_DIR"] = str(tmp_path / "fresh" / ".data")
    alembic = Path(sys.executable).parent / "alembic"
    done = subprocess.run(
        [str(alembic), "upgrade", "head"], cwd=settings.PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fresh" / ".data" / "djangochat.db").exists()
