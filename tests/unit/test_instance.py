"""The whole instance out and back in: every exported table comes back row for row with its ids, the files byte
for byte, password hashes only when asked for; a new table is exported unless it is excluded with a reason; an
instance that holds data and an export of an unknown format are refused, changing nothing. On SQLite and on
PostgreSQL (conftest's `db_url`)."""

import io
import json
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import Session, SQLModel

from bench.run import fill_history
from djangochat_rx import db, settings
from djangochat_rx.__main__ import main
from djangochat_rx.domain import (
    accounts,
    api_tokens,
    attachments,
    avatars,
    members,
    messages,
    pins,
    reactions,
    reads,
    retention,
    room_prefs,
    rooms,
    search,
    second_factor,
    sessions,
    signup,
    threads,
)
from djangochat_rx.infra import instance, storage
from djangochat_rx.models import SsoLink
from djangochat_rx.notify import push
from tests.unit.conftest import make_admin, postgres_database


@pytest.fixture
def store(tmp_path) -> storage.LocalStorage:
    return storage.LocalStorage(tmp_path / "uploads")


@pytest.fixture
def empty_url(request, db_url: str, tmp_path: Path):
    """A second, empty and migrated database of the same kind as `db_url`: where an export is imported."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'imported' / 'chat.db'}"
        db.migrate(url)
        yield url
        return
    with postgres_database(request, "chat_template") as url:
        yield url


@pytest.fixture
def other_store(tmp_path) -> storage.LocalStorage:
    return storage.LocalStorage(tmp_path / "imported" / "uploads")


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def picture(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(png_bytes((120, 80)))
    return path


def populate(session: Session, store: storage.LocalStorage, tmp_path: Path) -> dict[str, int]:
    """An instance with people, rooms of each kind, messages with a thread, a quote, a mention, a reaction, a pin,
    an image, a profile picture, read markers, a room preference, settings and audit entries, a single sign-on
    link; and what an export leaves out (a session, an API token, an authenticator app, the Web Push keys)."""
    root = make_admin(session, accounts.register(session, "root", "root password", "root password"))
    alice = accounts.register(session, "alice", "correct horse", "correct horse")
    bob = accounts.register(session, "bob", "battery staple", "battery staple")
    general = rooms.create_room(session, "General", "Anything goes", alice.id)
    secret = rooms.create_room(session, "Secret", "", alice.id, private=True)
    members.invite(session, alice.id, secret.id, "bob")
    direct = members.open_direct(session, alice.id, ["bob"])
    image = attachments.store(session, alice.id, general.id, "photo.png", picture(tmp_path, "photo"), into=store)
    hello = messages.post(session, general.id, alice.id, "hello @bob", file_ids=[image.id]).message
    threads.post_reply(session, hello.id, bob.id, "a reply in the thread")
    messages.post(session, general.id, bob.id, "a reply also sent to the room", quote_id=hello.id)
    reactions.toggle(session, bob.id, hello.id, "👍")
    pins.pin(session, alice.id, hello.id)
    messages.post_message(session, secret.id, bob.id, "between us")
    messages.post_message(session, direct.id, bob.id, "hi alice")
    reads.mark_read(session, bob.id, general.id, 1)
    room_prefs.set_prefs(session, bob.id, general.id, "mentions", True)
    signup.set_mode(session, root.id, "invite")
    retention.set_policy(session, root.id, 365, keep_pinned=True)
    avatars.set_picture(session, alice.id, avatars.square(picture(tmp_path, "face"), store.scratch()), into=store)
    # A link as sso.link makes it (that needs a configured provider).
    session.add(SsoLink(user_id=bob.id, provider="example", subject="bob-at-example", email="bob@example.com"))
    session.commit()
    sessions.issue(session, alice.id, "test browser")
    api_tokens.create(session, alice.id, "script", ["read"])
    second_factor.start_enrolment(session, bob.id)
    push.keys(session)
    return {"alice": alice.id, "general": general.id}


def rows(url: str, table: sa.Table) -> list[dict]:
    """`table`'s rows as the database has them, in primary-key order (the Web Push keys left aside)."""
    engine = db.make_engine(url)
    with engine.connect() as connection:
        found = [dict(row._mapping) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
    engine.dispose()
    if table.name == "site_settings":
        found = [row for row in found if row["key"] not in instance.EXCLUDED_SETTINGS]
    return found


def without_passwords(found: list[dict]) -> list[dict]:
    return [{name: value for name, value in row.items() if name != "password_hash"} for row in found]


def files(store: storage.LocalStorage) -> dict[str, bytes]:
    """Every stored variant's bytes, by <key>/<variant> (uploads in progress left aside)."""
    return {f"{path.parent.name}/{path.name}": path.read_bytes() for path in store.root.glob("??/*/*")}


def test_an_instance_comes_back_table_by_table_with_its_ids_and_files(
    session, db_url, empty_url, store, other_store, tmp_path
):
    made = populate(session, store, tmp_path)
    manifest = instance.export_instance(tmp_path / "export", url=db_url, store=store)

    imported = instance.import_instance(tmp_path / "export", url=empty_url, store=other_store)

    assert imported == manifest and manifest["with_passwords"] is False
    assert manifest["files"] == len(files(store)) == 4  # the image and its thumbnail, the picture's two sizes
    assert files(other_store) == files(store)
    tables = SQLModel.metadata.tables
    for table in instance.exported_tables():
        assert without_passwords(rows(empty_url, table)) == without_passwords(rows(db_url, table)), table.name
        assert manifest["tables"][table.name] == len(rows(db_url, table)), table.name
    for name in instance.EXCLUDED:
        assert rows(empty_url, tables[name]) == [], name
    assert {row["password_hash"] for row in rows(empty_url, tables["users"])} == {accounts.NO_PASSWORD}
    assert manifest["tables"]["messages"] == 5 and manifest["tables"]["users"] == 3
    # A reply and a quote point at a message made before them: their parents have lower ids.
    posted = rows(db_url, tables["messages"])
    for parent in ("thread_id", "quote_id"):
        assert [message["id"] > message[parent] for message in posted if message[parent]] == [True], parent

    engine = db.make_engine(empty_url)
    with Session(engine, expire_on_commit=False) as imported_session:
        with pytest.raises(accounts.InvalidCredentials):  # no hash came: nobody signs in with a password
            accounts.authenticate(imported_session, "alice", "correct horse")
        assert [hit.message_id for hit in search.search(imported_session, made["alice"], "hello")] == [1]
        newest = max(message["id"] for message in posted)
        assert messages.post_message(imported_session, made["general"], made["alice"], "after").id == newest + 1
        newcomer = accounts.register(imported_session, "newcomer", "new password", "new password")
        assert newcomer.id == 4  # ids go on from the highest imported one (PostgreSQL's sequences were moved)
    engine.dispose()


def test_the_files_are_json_lines_with_utc_times_and_no_password_hashes(session, db_url, store, tmp_path):
    populate(session, store, tmp_path)
    instance.export_instance(tmp_path / "export", url=db_url, store=store)
    folder = tmp_path / "export"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {path.name for path in folder.iterdir()} == {
        instance.MANIFEST_FILE,
        instance.FILES_FOLDER,
        *(f"{table.name}.jsonl" for table in instance.exported_tables()),
    }
    users = [json.loads(line) for line in (folder / "users.jsonl").read_text().splitlines()]
    assert [user["username"] for user in users] == ["root", "alice", "bob"]
    assert {user["password_hash"] for user in users} == {""}
    assert datetime.fromisoformat(users[0]["created_at"]).utcoffset() == timedelta(0)
    assert users[0]["created_at"].endswith("+00:00") and users[0]["email"] is None
    settings_rows = [json.loads(line) for line in (folder / "site_settings.jsonl").read_text().splitlines()]
    assert {row["key"] for row in settings_rows} == {"signup_mode", "retention_days", "retention_keep_pinned"}
    manifest = json.loads((folder / instance.MANIFEST_FILE).read_text())
    assert (manifest["format"], manifest["format_version"], manifest["revision"]) == (
        instance.FORMAT,
        instance.FORMAT_VERSION,
        rows(db_url, sa.table("alembic_version", sa.column("version_num")))[0]["version_num"],
    )
    assert datetime.fromisoformat(manifest["made_at"]).utcoffset() == timedelta(0)
    assert manifest["excluded"] == sorted(instance.EXCLUDED)


def test_with_passwords_people_sign_in_after_the_round_trip(session, db_url, empty_url, store, other_store, tmp_path):
    populate(session, store, tmp_path)
    manifest = instance.export_instance(tmp_path / "export", with_passwords=True, url=db_url, store=store)
    assert manifest["with_passwords"] is True
    assert "$2b$" in (tmp_path / "export" / "users.jsonl").read_text()

    instance.import_instance(tmp_path / "export", url=empty_url, store=other_store)

    users = SQLModel.metadata.tables["users"]
    assert rows(empty_url, users) == rows(db_url, users)
    engine = db.make_engine(empty_url)
    with Session(engine) as imported_session:
        assert accounts.authenticate(imported_session, "alice", "correct horse").username == "alice"
        with pytest.raises(accounts.InvalidCredentials):
            accounts.authenticate(imported_session, "alice", "wrong horse")
    engine.dispose()


def test_every_table_is_exported_or_excluded_with_its_reason():
    tables = set(SQLModel.metadata.tables)
    exported = {table.name for table in instance.exported_tables()}
    assert set(instance.EXCLUDED) <= tables, "EXCLUDED names a table the models do not have"
    assert exported | set(instance.EXCLUDED) == tables and not exported & set(instance.EXCLUDED)
    assert all(len(why) > 20 for why in instance.EXCLUDED.values())
    # A table that holds a credential must be excluded on purpose (the password hashes have their own flag).
    looks_secret = {
        f"{table.name}.{column.name}"
        for table in instance.exported_tables()
        for column in table.columns
        if column.name.endswith("_hash") or column.name in ("secret", "nonce", "code_verifier", "p256dh")
    }
    assert looks_secret == {"users.password_hash"}
    assert instance.EXCLUDED_SETTINGS == (push.PRIVATE_KEY, push.PUBLIC_KEY)
    assert set(instance.FILE_KEYS) <= exported


def test_an_instance_that_holds_data_is_refused_and_nothing_changes(
    session, db_url, empty_url, store, other_store, tmp_path
):
    populate(session, store, tmp_path)
    instance.export_instance(tmp_path / "export", url=db_url, store=store)
    engine = db.make_engine(empty_url)
    with Session(engine) as other:
        accounts.register(other, "already", "some password", "some password")
    engine.dispose()
    before = {table.name: rows(empty_url, table) for table in SQLModel.metadata.sorted_tables}

    with pytest.raises(instance.InstanceError, match=r"already holds data \(1 users\).*empty instance only"):
        instance.import_instance(tmp_path / "export", url=empty_url, store=other_store)

    assert {table.name: rows(empty_url, table) for table in SQLModel.metadata.sorted_tables} == before
    assert files(other_store) == {}


def test_a_broken_or_unknown_export_is_refused_and_nothing_is_kept(
    session, db_url, empty_url, store, other_store, tmp_path
):
    populate(session, store, tmp_path)
    folder = tmp_path / "export"
    instance.export_instance(folder, url=db_url, store=store)
    manifest = json.loads((folder / instance.MANIFEST_FILE).read_text())

    (folder / instance.MANIFEST_FILE).write_text(json.dumps({**manifest, "format_version": 2}))
    with pytest.raises(instance.InstanceError, match="not in a format this version reads"):
        instance.import_instance(folder, url=empty_url, store=other_store)
    (folder / instance.MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(instance.InstanceError, match="is not empty"):
        instance.export_instance(folder, url=db_url, store=store)
    # A reply whose parent is missing: the database refuses it, and the rows before it are rolled back.
    lines = (folder / "messages.jsonl").read_text().splitlines()
    reply = json.loads(lines[1])
    assert reply["thread_id"] is not None
    lines[1] = json.dumps({**reply, "thread_id": 999})
    (folder / "messages.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(instance.InstanceError, match=r"messages\.jsonl does not fit the database"):
        instance.import_instance(folder, url=empty_url, store=other_store)
    assert all(rows(empty_url, table) == [] for table in instance.exported_tables())
    assert files(other_store) == {}

    with pytest.raises(instance.InstanceError, match="holds no instance export"):
        instance.import_instance(tmp_path, url=empty_url, store=other_store)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_commands_export_and_import_and_say_what_they_did(
    session, db_url, empty_url, store, tmp_path, monkeypatch, capsys
):
    populate(session, store, tmp_path)
    monkeypatch.setattr(settings, "DATABASE_URL", db_url)
    monkeypatch.setattr(settings, "UPLOAD_DIR", store.root)
    storage.default.cache_clear()
    folder = tmp_path / "export"
    try:
        assert main(["export-instance", str(folder), "--with-passwords"]) == 0
        assert capsys.readouterr().err.strip() == (
            f"Exported 3 users, 3 rooms, 5 messages ({len(instance.exported_tables())} tables) and 4 files "
            f"to {folder}, with password hashes."
        )
        assert main(["export-instance", str(folder)]) == 1
        assert capsys.readouterr().err.strip() == f"Error: {folder} is not empty: give a new folder."

        monkeypatch.setattr(settings, "DATABASE_URL", empty_url)
        monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "imported" / "uploads")
        storage.default.cache_clear()
        assert main(["import-instance", str(folder)]) == 0
        said = capsys.readouterr().err.strip()
        assert said.startswith("Imported 3 users, 3 rooms, 5 messages (") and " and 4 files from " in said
        assert main(["import-instance", str(folder)]) == 1
        assert "Error: This instance already holds data (3 users, " in capsys.readouterr().err
        assert main(["import-instance", str(tmp_path / "nowhere")]) == 1
        assert "holds no instance export" in capsys.readouterr().err
    finally:
        storage.default.cache_clear()
    assert files(storage.LocalStorage(tmp_path / "imported" / "uploads")) == files(store)


# Large enough that a batch's fixed cost (a statement per table, ~45 tables) is a small part of the whole table.
HISTORY = 20_000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_memory_stays_flat_however_long_the_history(
    session, db_url, empty_url, alice, general, store, tmp_path, monkeypatch
):
    monkeypatch.setattr(settings, "EXPORT_BATCH_SIZE", 100)
    fill_history(session, general.id, alice.id, HISTORY)  # 64 characters each

    tracemalloc.start()
    try:
        instance.export_instance(tmp_path / "export", url=db_url, store=store)
        _, exporting = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        instance.import_instance(tmp_path / "export", url=empty_url, store=store)
        _, importing = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    written = (tmp_path / "export" / "messages.jsonl").stat().st_size
    assert written > HISTORY * 64
    # A batch at a time, never the whole table (~8 MB of JSON lines): measured on SQLite, about 0.5 MB exporting
    # and 1.4 MB importing (more with batches of 500), the same for 5 000 or 20 000 messages.
    assert exporting < written / 3, f"export peak {exporting} bytes for {written} bytes of messages"
    assert importing < written / 3, f"import peak {importing} bytes for {written} bytes of messages"
    assert len(rows(empty_url, SQLModel.metadata.tables["messages"])) == HISTORY
    assert rows(empty_url, SQLModel.metadata.tables["users"])[0]["username"] == "alice"
