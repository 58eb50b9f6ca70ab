"""Backups: a consistent copy of the database while the app runs, and putting one back on a stopped app.

    python -m djangochat_rx backup PATH     # PATH: a new folder; PATH/djangochat.db, PATH/uploads/, PATH/backup.json
    python -m djangochat_rx restore PATH    # the app stopped; the database and uploads it replaces are kept beside them

SQLite: the copy is made with SQLite's online backup API in one step, so it is the database as of one
moment however many writers are busy (in WAL mode they are not held up). PostgreSQL: `pg_dump` is the tool
for that; `backup` prints the command. Uploaded files (settings.UPLOAD_DIR) are copied after the database:
a stored file is never changed, only added or removed, so every file the copied database names is there,
except one removed in the moments between the two copies (its message deleted meanwhile).

A running app holds a shared lock on `<database>.lock` (every worker, `running`); `restore` takes it
exclusively, so it refuses while any worker runs."""

import contextlib
import fcntl
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from djangochat_rx import db, settings

DATABASE_FILE = "djangochat.db"
UPLOADS_FOLDER = "uploads"
MANIFEST_FILE = "backup.json"
COUNTED = ("users", "rooms", "messages")


class BackupError(Exception):
    """What went wrong, in words for the terminal."""


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        shown = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
        raise BackupError(
            "The database is PostgreSQL: back it up with pg_dump (the password in PGPASSWORD), e.g.\n"
            f"  pg_dump --format=custom --file PATH/djangochat.dump '{shown}'\n"
            f"and copy the uploaded files beside it:\n  cp -a {settings.UPLOAD_DIR} PATH/uploads"
        )
    return Path(parsed.database)


def counts(path: Path) -> dict[str, int]:
    """Rows per table that matters to people, in the SQLite file at `path`."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in COUNTED}


def _revision(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else ""


def _files_in(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def backup(target: Path, url: str | None = None, uploads: Path | None = None) -> dict:
    """Copy the app's database, then its uploaded files, into the new folder `target`; the manifest (time,
    revision, counts)."""
    source = _sqlite_path(url or settings.DATABASE_URL)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new folder.")
    db.private_folder(target)
    copy = db.private_file(target / DATABASE_FILE)
    live = sqlite3.connect(source, timeout=settings.SQLITE_BUSY_TIMEOUT_MS / 1000)
    with contextlib.closing(live), contextlib.closing(sqlite3.connect(copy)) as out:
        live.backup(out)  # all pages in one step: the database as of one moment
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    uploads = uploads or settings.UPLOAD_DIR
    if uploads.is_dir():
        shutil.copytree(
            uploads, target / UPLOADS_FOLDER, ignore=shutil.ignore_patterns("incoming")
        )  # uploads in progress
    manifest = {
        "made_at": datetime.now(UTC).isoformat(),
        "source": str(source),
        "revision": _revision(copy),
        "counts": {**counts(copy), "files": _files_in(target / UPLOADS_FOLDER)},
    }
    db.private_file(target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


@contextlib.contextmanager
def _lock(database: Path, mode: int, wait: bool) -> Iterator[bool]:
    """The lock of the app using `database`, in `mode` (fcntl.LOCK_SH / LOCK_EX), waiting for it or not;
    whether it was taken."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".lock"), "a") as handle:
        try:
            fcntl.flock(handle, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.asynccontextmanager
async def running():
    """While the app runs, hold the app lock shared (a lifespan task; a start waits for a restore to end),
    so that `restore` refuses until every worker has stopped."""
    if make_url(settings.DATABASE_URL).get_backend_name() != "sqlite":
        yield
        return
    with _lock(_sqlite_path(settings.DATABASE_URL), fcntl.LOCK_SH, wait=True):
        yield


def restore(source: Path, url: str | None = None, uploads: Path | None = None) -> tuple[dict, Path | None]:
    """Put the backup in folder `source` in place of the app's database and uploaded files (the app must be
    stopped), then bring its schema up to date; its manifest, and where the replaced database was kept (if
    there was one; replaced uploads are kept beside their folder with the same suffix)."""
    target = _sqlite_path(url or settings.DATABASE_URL)
    copy, manifest_path = source / DATABASE_FILE, source / MANIFEST_FILE
    if not copy.exists() or not manifest_path.exists():
        raise BackupError(f"{source} holds no backup (no {DATABASE_FILE} and {MANIFEST_FILE}).")
    damaged = BackupError(f"{copy} is damaged (SQLite's integrity check failed).")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise damaged
    except sqlite3.DatabaseError:
        raise damaged from None
    with _lock(target, fcntl.LOCK_EX, wait=False) as stopped:
        if not stopped:
            raise BackupError("The app is running: stop it (every worker) and run restore again.")
        kept = None
        if target.exists():
            kept = target.with_name(f"{target.name}.before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}")
            for suffix in ("", "-wal", "-shm"):
                old = target.with_name(target.name + suffix)
                if old.exists():
                    old.replace(kept.with_name(kept.name + suffix))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copy, target)
        uploads = uploads or settings.UPLOAD_DIR
        if uploads.exists():
            stamp = f"before-restore-{datetime.now(UTC):%Y%m%d-%H%M%S}"
            uploads.replace(uploads.with_name(f"{uploads.name}.{stamp}"))
        if (source / UPLOADS_FOLDER).is_dir():
            shutil.copytree(source / UPLOADS_FOLDER, uploads)
    db.migrate(url or settings.DATABASE_URL)
    return json.loads(manifest_path.read_text()), kept
