"""The database engine, SQLite pragmas, migrations, and the one way handlers reach the database."""

import asyncio
import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import sqlite3
import tempfile
import time
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from djangochat_rx import settings
from djangochat_rx.infra import periodic

T = TypeVar("T")
logger = logging.getLogger(__name__)


_IMMEDIATE = "djangochat_immediate"
# The engines whose checkpoints `checkpointing` runs: their connections leave them to it (wal_autocheckpoint=0).
_checkpointed: weakref.WeakSet[Engine] = weakref.WeakSet()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE writes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    prepare_file(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from pysqlite so the "begin" hook below decides how to begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={settings.SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if engine in _checkpointed:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # See begin_write.
        if connection.get_execution_options().get(_IMMEDIATE, False):
            _begin_immediate(connection.connection.driver_connection)
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


# How often a writer asks again for SQLite's write lock while another connection holds it.
_LOCK_POLL_SECONDS = 0.0005


def _begin_immediate(raw: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE on the driver's connection, asked again every half millisecond while another connection
    holds the write lock, for at most SQLITE_BUSY_TIMEOUT_MS. SQLite's own busy handler sleeps ever longer between
    its tries (1, 2, 5, 10, … up to 100 ms): a message's transaction then waits 8 ms for a lock held 3, and one
    that has waited a while keeps missing the short gaps another writer leaves between its transactions (an
    import's batches: slack_import.py). Asked this way it has the lock within half a millisecond of its release."""
    deadline = time.monotonic() + settings.SQLITE_BUSY_TIMEOUT_MS / 1000
    # Two statements of a microsecond each; the rest of the transaction waits on the busy handler as before.
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    # As SQLAlchemy would have raised it from its own statement ("database is locked").
                    raise OperationalError("BEGIN IMMEDIATE", None, error) from error
            time.sleep(_LOCK_POLL_SECONDS)
    finally:
        raw.execute(f"PRAGMA busy_timeout={settings.SQLITE_BUSY_TIMEOUT_MS}")


@functools.cache
def get_engine() -> Engine:
    """The app's engine for settings.DATABASE_URL."""
    return make_engine(settings.DATABASE_URL)


def session() -> Session:
    """A new ORM session on the app's engine (use as a context manager)."""
    return Session(get_engine(), expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Begin the session's next transaction as a writing one, before its first statement.

    On SQLite that is BEGIN IMMEDIATE: in WAL mode a deferred transaction that reads (an UPDATE
    reads too) and then writes fails at once with "database is locked" if another writer committed
    in between; IMMEDIATE instead waits for the lock (busy_timeout). Elsewhere it changes nothing.
    A read-only transaction still open on the session is ended first.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write: the session has uncommitted changes")
        session.rollback()
    session.connection(execution_options={_IMMEDIATE: True})


def call(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(session, *args)` in a fresh session and return its result."""
    with session() as db:
        return fn(db, *args)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """Run a domain function off the event loop, so a slow query never stalls other users."""
    return await asyncio.to_thread(call, fn, *args)


# bcrypt's own threads: a burst of logins or password changes never holds the threads every other
# handler's database call needs (settings.HASH_THREADS); at most HASH_QUEUE_MAX jobs wait for them.
_hashing = ThreadPoolExecutor(max_workers=settings.HASH_THREADS, thread_name_prefix="bcrypt")
_hashing_jobs = 0


class HashingBusy(Exception):
    """Every bcrypt thread is busy and the queue is full: try again in a moment (safe to show)."""

    def __init__(self) -> None:
        super().__init__("The server is busy. Try again in a few seconds.")


async def run_hashing(fn: Callable[..., T], *args: Any) -> T:
    """Run a domain function that checks or hashes a password (login, registration, password change) on
    bcrypt's own pool, off the event loop and off the pool the database calls use. HashingBusy, at
    once, when HASH_THREADS jobs run and HASH_QUEUE_MAX more wait: a flood is refused, never queued."""
    global _hashing_jobs
    if _hashing_jobs >= settings.HASH_THREADS + settings.HASH_QUEUE_MAX:
        raise HashingBusy()
    _hashing_jobs += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_hashing, call, fn, *args)
    finally:
        _hashing_jobs -= 1


def checkpoint(engine: Engine) -> tuple[int, int, int]:
    """Copy what it can of SQLite's write-ahead log into the database file without blocking readers or
    writers (a PASSIVE checkpoint); SQLite's (busy, log frames, checkpointed frames)."""
    with engine.connect() as connection:
        busy, log, done = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return busy, log, done


@contextlib.asynccontextmanager
async def checkpointing(
    engine: Engine | None = None, interval: float = settings.SQLITE_CHECKPOINT_SECONDS
) -> AsyncIterator[None]:
    """While the app runs, checkpoint its SQLite database (`engine`, default the app's) every `interval`
    seconds on a thread of its own, so no commit on the send path pays for one (a lifespan task)."""
    engine = engine or get_engine()
    if engine.dialect.name != "sqlite" or interval <= 0:
        yield
        return
    _checkpointed.add(engine)
    engine.dispose()  # connections opened before now still checkpoint on commit
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")

    async def copy_back() -> None:
        await asyncio.get_running_loop().run_in_executor(worker, checkpoint, engine)

    try:
        async with periodic.every(interval, copy_back, "sqlite-checkpoint"):
            yield
    finally:
        _checkpointed.discard(engine)
        worker.shutdown(wait=True)
        engine.dispose()
        checkpoint(engine)


def alembic_config(url: str | None = None):
    """The alembic config of this project, pointed at `url` (default: the app's database)."""
    from alembic.config import Config

    config = Config(str(settings.PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(settings.PROJECT_DIR / "alembic"))
    config.attributes["database_url"] = url or settings.DATABASE_URL
    return config


# Everything the app stores is its own: folders 0700 and files 0600, so that another account on the machine
# reads no password hash, message or upload (uploads: storage.py; backups: backup.py).
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


def private_folder(path: Path) -> Path:
    """`path`, made if missing (its missing parents too, those with the default mode), for this account only."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    path.chmod(PRIVATE_FOLDER)
    return path


def private_file(path: Path) -> Path:
    """`path`, created empty if missing, for this account only (SQLite gives its -wal and -shm files the
    database file's mode). An existing file is never opened here: closing a descriptor of a database drops
    every POSIX lock this process's SQLite connections hold on it (sqlite.org/howtocorrupt.html, 2.2)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    path.chmod(PRIVATE_FILE)
    return path


def prepare_file(url: str) -> None:
    """Before a SQLite database at `url` is first opened: its folder exists (the data folder private), at the
    default place a database an older version left at the project's root has been moved in, and the file is
    this account's only (alembic/env.py, migrate, make_engine)."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return
    database = Path(url.removeprefix("sqlite:///"))
    if database.parent.resolve() == settings.DATA_DIR.resolve() or not database.parent.exists():
        private_folder(database.parent)
    if url == settings.DEFAULT_DATABASE_URL:
        move_legacy_database()
    private_file(database)


def move_legacy_database() -> None:
    """Move a database left at the project's root by an older version (with its -wal and -shm files, which
    hold committed data) into settings.DATA_DIR, where `reflex export` does not pick it up."""
    legacy, target = settings.LEGACY_DATABASE, settings.DATA_DIR / settings.LEGACY_DATABASE.name
    if not legacy.exists() or target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", ""):  # the database file last: its presence decides a retry
        old = legacy.with_name(legacy.name + suffix)
        if old.exists():
            old.replace(target.with_name(target.name + suffix))
    logger.warning("moved the database from %s to %s (reflex export leaves that folder out)", legacy, target)


def migrate(url: str | None = None) -> None:
    """Upgrade the database to the newest alembic revision; one process at a time."""
    from alembic import command

    url = url or settings.DATABASE_URL
    prepare_file(url)
    # Outside the project folder: a file written there would trigger `reflex run`'s hot reload.
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"djangochat-migrate-{digest}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command.upgrade(alembic_config(url), "head")
