"""Importing a Slack export (tests/support/slack.py writes them in Slack's format): people matched by address or
made claimable, rooms of every kind, the history with threads, reactions, pins, edits, files and Slack's markup;
a second run adds nothing, an interrupted one resumes; bad input is a line of the report and nothing half-made."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bench.imports import generated_export
from djangochat_rx import settings
from djangochat_rx.actions import imports
from djangochat_rx.domain import (
    access,
    account_links,
    accounts,
    attachments,
    messages,
    pins,
    reactions,
    reads,
    slack_export,
    slack_import,
    threads,
)
from djangochat_rx.domain.events import RoomChanged
from djangochat_rx.infra import storage
from djangochat_rx.models import (
    Attachment,
    AuditEntry,
    ImportKey,
    ImportRun,
    Mention,
    Message,
    Reaction,
    Room,
    RoomMember,
    User,
)
from tests.support import slack


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "UPLOAD_DIR", tmp_path / "uploads")
    monkeypatch.setattr(settings, "FILE_MAX_BYTES", 100_000)
    storage.default.cache_clear()
    yield tmp_path
    storage.default.cache_clear()


@pytest.fixture
def export(files) -> Path:
    return slack.team_export(files / "team.zip", big_file_bytes=150_000)


def room(session, name: str) -> Room:
    return session.exec(select(Room).where(Room.name == name)).one()


def user(session, name: str) -> User:
    return session.exec(select(User).where(User.username == name)).one()


def test_people_are_matched_by_address_or_made_claimable(session, alice, export):
    session.execute(
        update(User).where(User.id == alice.id).values(email="ann@example.com", email_key="ann@example.com")
    )
    session.commit()
    result = slack_import.run(session, export)
    assert result.counts["people matched by email"] == 1
    ids = dict(session.exec(select(ImportKey.external_id, ImportKey.local_id).where(ImportKey.kind == "user")).all())
    assert ids["U0ANN"] == alice.id  # ann is alice here: her messages are alice's
    ben = user(session, "ben")
    assert (ben.password_hash, ben.email, ben.is_bot, ben.is_active) == (
        accounts.NO_PASSWORD,
        "ben@example.com",
        False,
        True,
    )
    assert not accounts.check_password("anything", ben.password_hash)
    # "Forgot password" with Slack's address reaches ben: the account is claimable.
    assert account_links.request_reset(session, "ben@example.com") is not None
    assert user(session, "dan").is_active is False  # deleted in Slack
    assert user(session, "deploybot").is_bot and user(session, "ci-bot").is_bot
    first = messages.newest_messages(session, room(session, "general").id)
    assert [m.author for m in first][:1] == ["alice"]


def test_rooms_of_every_kind(session, export):
    slack_import.run(session, export)
    general, rand, old = room(session, "general"), room(session, "random"), room(session, "old-stuff")
    assert (general.kind, general.description) == ("public", "Everything that matters to everyone")
    assert general.slug == "general" and rand.kind == "public"
    assert old.archived_at is not None and general.archived_at is None
    owner = session.exec(
        select(User.username)
        .join(RoomMember, col(RoomMember.user_id) == User.id)
        .where(RoomMember.room_id == general.id, RoomMember.role == "owner")
    ).one()
    assert owner == "ann"
    secret = room(session, "secret-plans")
    assert secret.kind == "private" and secret.slug.startswith("p_")
    ben, ann, cat = user(session, "ben"), user(session, "ann"), user(session, "cat")
    assert not access.can_read(session, ben.id, secret) and access.can_read(session, cat.id, secret)
    direct = session.exec(select(Room).where(Room.dm_key == ":".join(map(str, sorted([ann.id, ben.id]))))).one()
    assert direct.kind == "dm" and not access.can_read(session, cat.id, direct)
    group = session.exec(select(Room).where(Room.dm_key == ":".join(map(str, sorted([ann.id, ben.id, cat.id]))))).one()
    assert [m.body for m in messages.newest_messages(session, group.id)] == ["The three of us"]
    # Imported history is read history: nobody starts with a wall of unread.
    summaries = {s.slug: s.unread for s in reads.room_summaries(session, ann.id)}
    assert summaries["general"] == 0 and summaries[direct.slug] == 0


def test_history_with_threads_reactions_pins_edits_files_and_markup(session, export):
    result = slack_import.run(session, export)
    general = room(session, "general")
    shown = messages.newest_messages(session, general.id)
    assert [m.author for m in shown] == ["ann", "ben", "cat", "dan", "ci-bot", "deploybot", "ben"]
    assert [m.seq for m in shown] == list(range(1, 8))
    welcome = shown[0]
    assert welcome.body.startswith(
        "Welcome @ben! Plans are in [#random](/rooms/random), see [the plan](https://example.com/plan) 🎉"
    )
    assert "**really** *soon* ~~maybe~~ <3" in welcome.body
    assert welcome.created_at.startswith("2024-03-04T09:00:01")
    assert "ben" in welcome.mentions  # highlighted as a mention
    assert session.exec(select(Mention.user_id).where(Mention.message_id == welcome.id)).all() == [
        user(session, "ben").id
    ]
    assert [(r.emoji, r.count) for r in reactions.summaries(session, [welcome.id])[welcome.id]] == [("👍", 2)]
    assert [p.message.id for p in pins.pinned(session, general.id)] == [welcome.id]
    starter = shown[1]
    assert (starter.reply_count, starter.repliers[:2]) == (2, ("ann", "cat"))
    replies = threads.thread(session, user(session, "ben").id, starter.id)[1]
    assert [(r.author, r.body, r.seq) for r in replies] == [("cat", "Yes, noodles", 1), ("ann", "Count me in", 2)]
    chart = shown[2]
    (image,) = chart.files
    assert (image.kind, image.width, image.height, image.name) == ("image", 40, 30, "chart.png")
    row = session.exec(select(Attachment).where(Attachment.message_id == chart.id)).one()
    assert storage.default().size(row.storage_key, attachments.THUMB)  # re-encoded, with its thumbnail
    assert shown[3].edited
    assert shown[6].body == "The logs\n[huge.log](https://team.slack.com/files/U0BEN/F0BIG/huge.log)"
    assert result.counts["messages"] == 13 and result.counts["replies in threads"] == 2
    assert any("unknown user (U0GHOST)" in line for line in result.report)
    assert any("“huge.log” is larger than" in line for line in result.report)
    assert any(":partyparrot:" in line for line in result.report)
    assert len(result.counted().split("\n")) == len(+result.counts)  # every count is said, in words
    assert "1 file\n" in result.counted() + "\n" and "2 reactions" in result.counted()


def test_a_second_run_adds_nothing(session, export):
    slack_import.run(session, export)
    tables = (Message, Reaction, Room, RoomMember, User, Attachment, Mention)
    before = [session.exec(select(func.count()).select_from(t)).one() for t in tables]
    again = slack_import.run(session, export)
    assert [session.exec(select(func.count()).select_from(t)).one() for t in tables] == before
    assert again.counts["messages"] == 0 and again.counts["messages read by an earlier run"] == 17
    assert again.counts["people imported before"] == 5


def test_an_interrupted_run_resumes_after_its_last_batch(session, files, monkeypatch):
    export = generated_export(files / "big.zip", messages=600, channels=2, people=5)
    monkeypatch.setattr(settings, "IMPORT_BATCH", 50)
    calls = 0
    real = slack_import.Run._batch

    def failing(self, *args):
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("the power went out")
        return real(self, *args)

    monkeypatch.setattr(slack_import.Run, "_batch", failing)
    with pytest.raises(RuntimeError):
        slack_import.run(session, export)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Message)).one() == 150  # three whole batches
    monkeypatch.setattr(slack_import.Run, "_batch", real)
    slack_import.run(session, export)
    channel = room(session, "channel-0")
    in_room = session.exec(
        select(Message.seq).where(Message.room_id == channel.id, col(Message.thread_id).is_(None)).order_by(Message.id)
    ).all()
    assert in_room == list(range(1, 241))  # 300 messages, 60 of them replies: in order, none twice
    assert session.exec(select(func.count()).select_from(Message)).one() == 600
    parents = session.exec(select(Message.reply_count).where(col(Message.reply_count) > 0)).all()
    assert parents == [2] * 60


def test_the_import_gives_way_while_people_chat(session, alice, general, files, monkeypatch):
    export = generated_export(files / "chat.zip", messages=300, channels=1, people=5)
    for name, value in (("IMPORT_BATCH", 50), ("IMPORT_LIVE_BATCH", 3), ("IMPORT_PAUSE_SECONDS", 0)):
        monkeypatch.setattr(settings, name, value)
    monkeypatch.setattr(settings, "IMPORT_LIVE_PAUSE_SECONDS", 0)
    messages.post(session, general.id, alice.id, "an old message: nobody is chatting now")
    sizes, real = [], slack_import.Run._batch

    def batch(self, db, *args):
        sizes.append(len(args[2]))
        if len(sizes) == 2:  # alice says something while the import runs (another connection)
            with Session(session.get_bind()) as chatting:
                messages.post(chatting, general.id, alice.id, "hello while importing")
        return real(self, db, *args)

    monkeypatch.setattr(slack_import.Run, "_batch", batch)
    result = slack_import.run(session, export)
    assert sizes[:3] == [50, 50, 3] and max(sizes[2:]) == 3  # (a day's last batch may be smaller)
    assert result.counts["batches that gave way to people chatting"] == len(sizes) - 2
    assert result.counts["messages"] + result.counts["replies in threads"] == 300


def test_markup_outside_code_only():
    names = slack_export.Names({"U1": "ann"}, {})
    assert slack_export.to_markdown("`*x*` and *y* <@U1> <@U9|zed>", names) == "`*x*` and **y** @ann @zed"
    assert slack_export.to_markdown("```\n<@U1> *z*\n```", names) == "```\n<@U1> *z*\n```"
    assert slack_export.to_markdown("<!channel> <!here|here> <mailto:a@b.org|a@b.org>", names) == (
        "@room @here [a@b.org](mailto:a@b.org)"
    )
    assert slack_export.shortcode_emoji("thumbsup::skin-tone-6") == "👍🏿"
    assert slack_export.shortcode_emoji("not-an-emoji-name") is None


# --- bad input: a clear line, nothing half-imported, no crash ---------------------------------------------------
def nothing_written(session) -> None:
    for table in (User, Room, Message, ImportKey):
        assert session.exec(select(func.count()).select_from(table)).one() == 0


def refused(session, path: Path) -> str:
    result = slack_import.run(session, path)
    nothing_written(session)
    return result.refused


def test_not_a_slack_export(session, files):
    other = files / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(session, other) == "This is not a Slack export: it has no users.json and channels.json."
    text_file = files / "notes.zip"
    text_file.write_text("not a zip at all")
    assert "not a complete zip file" in refused(session, text_file)


def test_a_truncated_zip(session, export):
    data = export.read_bytes()
    export.write_bytes(data[: len(data) // 2])
    assert refused(session, export) == "This file is not a complete zip file: it is damaged or was cut short."


def test_a_zip_bomb(session, files):
    bomb = files / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", "[]")
        archive.writestr("general/2024-01-01.json", b"[" + b" " * (50 * 1024 * 1024) + b"]")
    assert "looks like a zip bomb" in refused(session, bomb)
    assert bomb.stat().st_size < 200_000


def test_a_list_larger_than_its_budget_is_refused_as_it_is_read(session, files, monkeypatch):
    monkeypatch.setattr(settings, "IMPORT_MAX_JSON_BYTES", 1000)
    big = slack.write_export(files / "big.zip", [slack.user(f"U{n}", f"person{n}") for n in range(40)], [], {})
    assert refused(session, big) == "users.json is larger than 0 MB."


def test_path_traversal_names_are_never_read(session, files):
    path = slack.write_export(
        files / "sly.zip",
        [slack.user("U1", "ann")],
        [{"id": "C1", "name": "general", "members": ["U1"]}],
        {"general": [slack.message("U1", slack.ts(slack.DAY1, 1), "hello")]},
        extra={"../../etc/evil.json": b"[]", "/abs/evil.json": b"[]", "general/../../x.json": b"[]"},
    )
    result = slack_import.run(session, path)
    assert sum("points outside the export" in line for line in result.report) == 3
    assert [m.body for m in messages.newest_messages(session, room(session, "general").id)] == ["hello"]
    assert not (files.parent / "etc").exists()


def test_a_day_that_is_not_json_is_skipped_whole(session, files):
    path = slack.write_export(
        files / "broken.zip",
        [slack.user("U1", "ann")],
        [{"id": "C1", "name": "general", "members": ["U1"]}],
        {"general": [slack.message("U1", slack.ts(slack.DAY2, 1), "the good day")]},
        extra={"general/2024-03-04.json": b"[{not json"},
    )
    result = slack_import.run(session, path)
    assert result.report == [
        "#general, general/2024-03-04.json: general/2024-03-04.json is not valid JSON. That day was skipped."
    ]
    assert [m.body for m in messages.newest_messages(session, room(session, "general").id)] == ["the good day"]


def test_a_message_too_long_is_a_line_of_the_report(session, files):
    path = slack.write_export(
        files / "long.zip",
        [slack.user("U1", "ann")],
        [{"id": "C1", "name": "general", "members": ["U1"]}],
        {"general": [slack.message("U1", slack.ts(slack.DAY1, 1), "x" * (settings.MESSAGE_MAX_CHARS + 1))]},
    )
    result = slack_import.run(session, path)
    assert result.report == [
        f"#general, 2024-03-04 09:00: a message was skipped: Message is {settings.MESSAGE_MAX_CHARS + 1} characters; "
        f"the limit is {settings.MESSAGE_MAX_CHARS}."
    ]
    assert session.exec(select(func.count()).select_from(Message)).one() == 0


def test_replies_to_a_message_left_out_go_to_the_room(session, files):
    parent = slack.ts(slack.DAY1, 1)
    path = slack.write_export(
        files / "orphans.zip",
        [slack.user("U1", "ann")],
        [{"id": "C1", "name": "general", "members": ["U1"]}],
        {
            "general": [
                slack.message("U0GONE", parent, "by someone unknown", thread_ts=parent, reply_count=1),
                slack.message("U1", slack.ts(slack.DAY1, 2), "an answer", thread_ts=parent),
            ]
        },
    )
    result = slack_import.run(session, path)
    assert [m.body for m in messages.newest_messages(session, room(session, "general").id)] == ["an answer"]
    assert result.report[-1] == "#general, 2024-03-04 09:00: a reply's thread is not in the export; it is in the room."


def test_a_public_name_taken_gets_a_suffix(session, alice, general, files):
    path = slack.write_export(
        files / "taken.zip",
        [slack.user("U1", "ann")],
        [{"id": "C1", "name": "General", "members": ["U1"]}],
        {"General": [slack.message("U1", slack.ts(slack.DAY1, 1), "from slack")]},
    )
    result = slack_import.run(session, path)
    assert result.report == ["#General was imported as #General-slack: a room of that name is here already."]
    assert [m.body for m in messages.newest_messages(session, room(session, "General-slack").id)] == ["from slack"]
    assert messages.newest_messages(session, general.id) == []


# --- the action: one run at a time, audited, the rooms shown to the people who have them -----------------------
def test_the_run_is_audited_and_its_rooms_are_shown(session, root, export):
    run_id = imports.start_import(session, root.id, "team.zip").value
    with pytest.raises(imports.ImportBusy):
        imports.start_import(session, root.id, "again.zip")
    result = slack_import.run(session, export)
    outcome = imports.finish_import(session, run_id, result)
    assert outcome.value.status == "done" and "13 messages" in outcome.value.counts
    assert outcome.value.report == tuple(result.report)
    changed = {event.summary.name for event in outcome.events if isinstance(event, RoomChanged)}
    assert changed == {"general", "random", "old-stuff", "secret-plans", "ann, ben", "ann, ben, cat"}
    secret = next(e for e in outcome.events if e.summary.name == "secret-plans")
    assert secret.people == ("ann", "cat")  # a private room is shown only to its members
    entries = session.exec(select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.actor_id == root.id)).all()
    assert [a for a, _ in entries] == ["import.start", "import.slack"] and "13 messages" in entries[1][1]
    # A run that stopped beating may be taken up again; the next start is no longer refused.
    assert imports.start_import(session, root.id, "next.zip").value > run_id


def test_a_refused_export_is_a_failed_run(session, root, files):
    junk = files / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 nothing more")
    run_id = imports.start_import(session, root.id, "junk.zip").value
    outcome = imports.finish_import(session, run_id, slack_import.run(session, junk))
    assert outcome.value.status == "failed" and outcome.events == []
    assert outcome.value.report == ("This file is not a complete zip file: it is damaged or was cut short.",)
    assert session.get(ImportRun, run_id).status == "failed"


def test_an_interrupted_upload_is_claimed_once(session, root, files, monkeypatch):
    kept = files / "kept.zip"
    kept.write_bytes(b"")
    run_id = imports.start_import(session, root.id, "kept.zip", str(kept)).value
    assert imports.claim_interrupted(session).value is None  # its heartbeat beats
    monkeypatch.setattr(settings, "IMPORT_STALE_SECONDS", -1)
    assert imports.claim_interrupted(session).value == (run_id, str(kept))
    monkeypatch.setattr(settings, "IMPORT_STALE_SECONDS", 60)
    assert imports.claim_interrupted(session).value is None  # claimed: its heartbeat moved


def test_reading_a_zip_member_stops_at_its_budget(files, monkeypatch):
    """A member whose header understates its size is still read through the counter."""
    monkeypatch.setattr(settings, "IMPORT_MAX_JSON_BYTES", 10)
    path = files / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("channels.json", "[" + " " * 100 + "]")
    with slack_export.opened(path) as export, pytest.raises(slack_export.NotAnExport, match="larger than"):
        export.listed("channels.json")


# --- the terminal --------------------------------------------------------------------------------------------
def test_the_terminal_imports_an_export_and_a_second_time_adds_nothing(tmp_path, export):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "UPLOAD_DIR": str(tmp_path / "up")}
    env["FILE_MAX_BYTES"] = "100000"

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "djangochat_rx", *args], env=env, capture_output=True, text=True, timeout=120
        )

    first = command("import-slack", str(export))
    assert first.returncode == 0, first.stderr
    assert "13 messages" in first.stderr and "2 replies in threads" in first.stderr
    assert "a message by an unknown user (U0GHOST) was skipped" in first.stdout
    second = command("import-slack", str(export))
    assert second.returncode == 0
    assert second.stderr == (
        "Imported team.zip: 5 people imported before, 6 rooms imported before, 17 messages read by an earlier run.\n"
    )
    missing = command("import-slack", str(tmp_path / "nothing.zip"))
    assert missing.returncode == 1 and "is not a file" in missing.stderr
    junk = tmp_path / "junk.zip"
    junk.write_text("hello")
    refused = command("import-slack", str(junk))
    assert refused.returncode == 1
    assert "Nothing was imported: This file is not a complete zip file" in refused.stderr
