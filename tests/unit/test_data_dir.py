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


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_the_data_folder_and_the_database_with_its_log_are_the_servers_alone(tmp_path, monkeypatch):
    """Another account on the machine reads no password hash or message: the folder 0700, the files 0600
    (a data folder an older version left world-readable is closed too)."""
    import os

    data = tmp_path / ".data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    monkeypatch.setattr(settings, "DATA_DIR", data)
    url = f"sqlite:///{data / 'chat.db'}"
    db.migrate(url)
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (x)")
    written = [data / "chat.db", data / "chat.db-wal", data / "chat.db-shm"]
    assert _mode(data) == 0o700
    assert {path.name: _mode(path) for path in written} == {path.name: 0o600 for path in written}
    engine.dispose()


def test_a_database_elsewhere_leaves_its_existing_folder_as_it_is(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    db.prepare_file(f"sqlite:///{shared / 'chat.db'}")
    assert _mode(shared) == 0o755 and _mode(shared / "chat.db") == 0o600
