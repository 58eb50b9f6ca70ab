"""The whole instance out and back in, in a documented format (docs/instance-format.md): no lock-in.

    python -m djangochat_rx export-instance DIR [--with-passwords]   # DIR: a new or empty folder
    python -m djangochat_rx import-instance DIR                      # into an empty instance

Export walks every table of the models (SQLModel.metadata.sorted_tables) but EXCLUDED, the credentials and
short-lived things, and writes DIR/<table>.jsonl: one JSON object per row (column name → value, datetimes as
ISO-8601 UTC strings, None as null), in primary-key order. The bytes of the uploaded files the rows name go
under DIR/files/<storage key>/<variant>, and DIR/manifest.json comes last. A table added later is exported
with no change here (tests/unit/test_instance.py fails if one that looks like a credential is not EXCLUDED).
Every table is read in one read transaction, the database as of one moment like a backup, in batches of
EXPORT_BATCH_SIZE rows, so memory stays flat however long the history.

Import fills an empty, migrated database in one transaction: the tables parents first, each one's rows in
the file's order (primary-key order) in batches, keeping their ids; then, on PostgreSQL, each id sequence
moves past the highest id (SQLite's AUTOINCREMENT follows the inserted ids itself), and the files go back into
storage. A thread's reply and a message quoting a thread's parent (messages.thread_id, quote_id) point at a
message made before them, and ids only grow, so the parent is always in when the row that names it comes.

Without --with-passwords every users.password_hash is written as ""; import stores accounts.NO_PASSWORD for
it (no password matches), so people come back through single sign-on or a password reset."""

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from djangochat_rx import db, models, settings
from djangochat_rx.domain import accounts
from djangochat_rx.infra import storage

FORMAT = "djangochat-rx-instance"
FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"
FILES_FOLDER = "files"

# The tables an export leaves out, and why: each is a credential (a way into an account or the server) or
# something short-lived that means nothing on another server. Every other table of models.py is exported.
EXCLUDED: dict[str, str] = {
    "sessions": "signed-in browsers (their tokens' hashes): everyone signs in again",
    "media_tickets": "a tab's short-lived tickets for file requests (hashes), ending with its session",
    "known_devices": "device cookies' hashes, which give a browser a login budget of its own",
    "sso_attempts": "single sign-on round trips under way (minutes long; nonces and PKCE verifiers)",
    "account_links": "one-time password-reset and address-check links (hashes), expiring in hours",
    "invites": "sign-up links (hashes): a way in, and expiring; administrators make new ones",
    "email_outbox": "the mailer's queue of messages to send, and sent",
    "push_subscriptions": "browsers' Web Push endpoints and keys, bound to this server's key pair (not exported)",
    "totp_devices": "authenticator apps' secrets, stored as is: a second factor",
    "recovery_codes": "second-factor recovery codes (hashes)",
    "passkeys": "WebAuthn credentials, bound to this server's domain (relying party id)",
    "api_tokens": "REST API tokens (hashes): credentials; people make new ones",
    "webhooks": "incoming webhooks' secret URLs (hashes): credentials; their bot accounts and messages stay",
}
# Rows of an exported table left out: the Web Push key pair (notify/push.py PRIVATE_KEY, PUBLIC_KEY) is the
# server's signing secret, of use only with the push subscriptions; the new instance makes its own.
EXCLUDED_SETTINGS = ("vapid_private_key", "vapid_public_key")
# Columns that name bytes in storage.py: an attachment's, an uploaded profile picture's (avatars.py), a link
# preview's picture (link_previews.py) and a custom emoji's (custom_emoji.py).
FILE_KEYS = {
    "attachments": "storage_key",
    "users": "avatar_key",
    "link_previews": "image_key",
    "custom_emoji": "storage_key",
}
PASSWORDS = ("users", "password_hash")


class InstanceError(Exception):
    """What went wrong, in words for the terminal."""


def exported_tables() -> list[Table]:
    """The tables an export holds, each after the tables it points at."""
    return [table for table in SQLModel.metadata.sorted_tables if table.name not in EXCLUDED]


def _kept(table: Table):
    """The SQL condition on `table`'s rows that an export holds."""
    return table.c.key.not_in(EXCLUDED_SETTINGS) if table.name == "site_settings" else true()


def _plain(value: Any) -> str:
    """A value json cannot write itself: a datetime as ISO-8601 in UTC, a date as ISO-8601."""
    if isinstance(value, datetime):
        return models.as_utc(value).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} has no form in the instance format")


@contextlib.contextmanager
def _one_moment(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database as of one moment (one read transaction)."""
    postgres = engine.dialect.name == "postgresql"
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True} if postgres else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """`table`'s exported rows in primary-key order, as column name → value, read a batch at a time."""
    query = select(table).where(_kept(table)).order_by(*table.primary_key.columns)
    result = connection.execute(query.execution_options(yield_per=settings.EXPORT_BATCH_SIZE))
    for row in result.mappings():
        yield {column.name: row[column] for column in table.columns}


def _copy_out(store: storage.Storage, key: str, folder: Path) -> int:
    """Copy every variant of `key` into folder/<key>/; how many (one removed meanwhile is left out)."""
    copied = 0
    for variant in store.variants(key):
        target = db.private_file(db.private_folder(folder / key) / variant)
        try:
            with target.open("wb") as out:
                for chunk in store.read(key, variant):
                    out.write(chunk)
        except FileNotFoundError:  # its message deleted between the listing and the copy
            target.unlink()
            continue
        copied += 1
    return copied


def _export_table(
    connection: Connection, table: Table, target: Path, passwords: bool, store: storage.Storage
) -> tuple[int, int]:
    """Write `table` to target/<table>.jsonl and copy the files its rows name; (rows, files) written."""
    rows = files = 0
    key_column = FILE_KEYS.get(table.name)
    blank = None if passwords or table.name != PASSWORDS[0] else PASSWORDS[1]
    with db.private_file(target / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
        for row in _rows(connection, table):
            if blank:
                row[blank] = ""
            out.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
            rows += 1
            if key_column and row[key_column]:
                files += _copy_out(store, row[key_column], target / FILES_FOLDER)
    return rows, files


def export_instance(
    target: Path, with_passwords: bool = False, url: str | None = None, store: storage.Storage | None = None
) -> dict:
    """Write the instance into the new or empty folder `target`; its manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InstanceError(f"{target} is not empty: give a new folder.")
    store = store or storage.default()
    db.private_folder(target)
    db.private_folder(target / FILES_FOLDER)
    engine = db.make_engine(url or settings.DATABASE_URL)
    tables, files = {}, 0
    try:
        with _one_moment(engine) as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            for table in exported_tables():
                tables[table.name], copied = _export_table(connection, table, target, with_passwords, store)
                files += copied
    finally:
        engine.dispose()
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "revision": revision,
        "made_at": datetime.now(UTC).isoformat(),
        "with_passwords": with_passwords,
        "tables": tables,
        "files": files,
        "excluded": sorted(EXCLUDED),
    }
    db.private_file(target / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source: Path) -> dict:
    """The manifest of the export in folder `source`, once its format is one this version reads."""
    path = source / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstanceError(f"{source} holds no instance export (no {MANIFEST_FILE}).") from None
    except ValueError:
        raise InstanceError(f"{path} is damaged (not JSON).") from None
    found = (manifest.get("format"), manifest.get("format_version")) if isinstance(manifest, dict) else None
    if found != (FORMAT, FORMAT_VERSION):
        raise InstanceError(
            f"{path} is not in a format this version reads (it reads {FORMAT} version {FORMAT_VERSION})."
        )
    return manifest


def _tables_to_load(source: Path, manifest: dict) -> list[tuple[Table, int]]:
    """The tables the export holds, parents first, with their row counts; refused when one is unknown here."""
    counts = manifest.get("tables", {})
    written = {path.stem for path in source.glob("*.jsonl")}
    known = {table.name for table in exported_tables()}
    if unknown := sorted((written | set(counts)) - known):
        raise InstanceError(
            f"{source} holds tables this version does not import ({', '.join(unknown)}): "
            "import it with the version that made it, or a newer one."
        )
    if missing := sorted(set(counts) - written):
        raise InstanceError(f"{source} is incomplete: {', '.join(f'{name}.jsonl' for name in missing)} missing.")
    return [(table, counts[table.name]) for table in exported_tables() if table.name in counts]


def _reader(table: Table) -> Callable[[str], dict]:
    """Turns one line of table.jsonl into the values to insert: datetimes from their ISO-8601 text, and a blank
    password hash into accounts.NO_PASSWORD."""
    parsed = {}
    for column in table.columns:
        stored = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's (UTCDateTime's) own type
        with contextlib.suppress(NotImplementedError):
            if stored.python_type in (datetime, date):
                parsed[column.name] = stored.python_type.fromisoformat
    columns = set(table.columns.keys())
    password = PASSWORDS[1] if table.name == PASSWORDS[0] else None

    def read(line: str) -> dict:
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if not isinstance(row, dict):
            raise InstanceError(f"{table.name}.jsonl is damaged: a line is not a JSON object.")
        if unknown := sorted(set(row) - columns):
            raise InstanceError(f"{table.name}.jsonl has columns this version does not know: {', '.join(unknown)}.")
        for name, parse in parsed.items():
            if row.get(name) is not None:
                row[name] = parse(row[name])
        if password and row.get(password) == "":
            row[password] = accounts.NO_PASSWORD
        return row

    return read


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    """`rows`, `size` at a time (only one batch is ever read ahead)."""
    while batch := list(islice(rows, size)):
        yield batch


def _load_table(session: Session, table: Table, path: Path, expected: int) -> None:
    """Insert the rows of `path` into `table` a batch at a time, ids and all."""
    read, loaded = _reader(table), 0
    with path.open(encoding="utf-8") as lines:
        rows = (read(line) for line in lines if line.strip())
        for batch in _batches(rows, settings.EXPORT_BATCH_SIZE):
            try:
                session.execute(table.insert(), batch)
            except IntegrityError as error:
                raise InstanceError(f"{path.name} does not fit the database: {error.orig}") from None
            loaded += len(batch)
    if loaded != expected:
        raise InstanceError(f"{path.name} holds {loaded} rows where the manifest says {expected}: it is incomplete.")


def _check_empty(session: Session) -> None:
    """InstanceError, naming what is there, unless every table an import fills is empty."""
    held = {}
    for table in exported_tables():
        if count := session.execute(select(func.count()).select_from(table).where(_kept(table))).scalar_one():
            held[table.name] = count
    if held:
        found = ", ".join(f"{count} {name}" for name, count in held.items())
        raise InstanceError(
            f"This instance already holds data ({found}): import-instance loads into an empty instance only. "
            "Point DATABASE_URL at a new database."
        )


def _follow_ids(session: Session) -> None:
    """On PostgreSQL, move each table's id sequence past its highest id (inserting ids leaves it where it was)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in exported_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        highest = select(func.max(column)).scalar_subquery()
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        session.execute(select(func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None))))


def _put_files(folder: Path, store: storage.Storage, expected: int, added: list[str]) -> None:
    """Put each file of folder/<key>/<variant> into storage; the keys that were new there go into `added`."""
    scratch, put = store.scratch(), 0
    for key_folder in sorted(folder.iterdir()) if folder.is_dir() else ():
        key = key_folder.name
        try:
            if not store.variants(key):
                added.append(key)
            for file in sorted(key_folder.iterdir()):
                copy = scratch / f"import-{key}-{file.name}"
                shutil.copyfile(file, copy)
                store.put(key, file.name, copy)
                put += 1
        except (storage.BadKey, NotADirectoryError):
            raise InstanceError(f"{key_folder} is not a stored file's folder (files/<key>/<variant>).") from None
    if put != expected:
        raise InstanceError(f"{folder} holds {put} files where the manifest says {expected}: it is incomplete.")


def import_instance(source: Path, url: str | None = None, store: storage.Storage | None = None) -> dict:
    """Load the export in folder `source` into the app's empty, migrated database and its storage, in one
    transaction (nothing is kept if any of it fails); its manifest."""
    manifest = read_manifest(source)
    tables = _tables_to_load(source, manifest)
    store = store or storage.default()
    engine = db.make_engine(url or settings.DATABASE_URL)
    added: list[str] = []
    try:
        with Session(engine) as session:
            db.begin_write(session)
            try:
                _check_empty(session)
                for table, count in tables:
                    _load_table(session, table, source / f"{table.name}.jsonl", count)
                _follow_ids(session)
                _put_files(source / FILES_FOLDER, store, manifest.get("files", 0), added)
                session.commit()
            except BaseException:
                session.rollback()
                for key in added:
                    store.delete(key)
                raise
    finally:
        engine.dispose()
    return manifest
