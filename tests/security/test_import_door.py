"""The Slack import's door (POST /_files/import/slack) over real HTTP: an administrator's alone, one import at a
time, and what an administrator uploads is imported on its own thread, the upload answered at once."""

import asyncio
import shutil
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from djangochat_rx import db, settings
from djangochat_rx.actions import imports, joining
from djangochat_rx.domain import messages, sessions, slack_import, tickets
from djangochat_rx.http.imports import IMPORT_PATH
from djangochat_rx.models import ImportRun, Room
from tests.state.conftest import unique
from tests.support import slack


def ticket(token: str) -> str:
    return db.call(tickets.ticket, db.call(sessions.resolve, token).session_id, tickets.UPLOAD)


def runs() -> int:
    with db.session() as session:
        return len(session.exec(select(ImportRun.id)).all())


@pytest.fixture
def export(tmp_path) -> tuple[Path, str]:
    name = unique("imported-")
    path = slack.write_export(
        tmp_path / "team.zip",
        [slack.user(unique("U"), unique("p"))],
        [{"id": unique("C"), "name": name, "members": []}],
        {name: [slack.message("U0NOBODY", slack.ts(slack.DAY1, 1), "lost"), slack.message("", "1.0", "")]},
    )
    return path, name


@pytest.fixture
def chief(make_user) -> str:
    user, token = make_user()
    db.call(joining.promote, user.username)
    return token


async def post(backend_url: str, path: Path, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=backend_url) as client:
        return await client.post(IMPORT_PATH, content=path.read_bytes(), headers=headers)


async def test_strangers_and_members_get_the_answer_of_an_unknown_route(backend_url, make_user, export):
    _, member = make_user()
    before = runs()
    for headers in ({}, {"x-upload-ticket": "forged"}, {"x-upload-ticket": ticket(member)}):
        answer = await post(backend_url, export[0], headers)
        assert (answer.status_code, answer.json()) == (404, {"error": "Not found."})
    assert runs() == before
    assert list(imports.folder().iterdir()) == []


async def test_an_administrators_export_is_imported_and_a_second_waits_its_turn(backend_url, chief, export):
    path, name = export
    busy = db.call(imports.start_import, None, "elsewhere.zip").value  # one runs already (its heartbeat beats)
    answer = await post(backend_url, path, {"x-upload-ticket": ticket(chief), "x-file-name": "team.zip"})
    assert (answer.status_code, answer.json()) == (
        409,
        {"error": "An import is running already; wait for it to finish."},
    )
    db.call(imports.finish_import, busy, slack_import.Result(refused="stopped by the test"))

    started = time.monotonic()
    answer = await post(backend_url, path, {"x-upload-ticket": ticket(chief), "x-file-name": "team.zip"})
    assert answer.status_code == 201
    run_id = answer.json()["id"]
    async with asyncio.timeout(30):
        while (shown := db.call(imports.import_view, run_id)).status == imports.RUNNING:
            await asyncio.sleep(0.05)
    assert shown.file_name == "team.zip" and shown.status == "done", shown
    assert any("unknown user (U0NOBODY)" in line for line in shown.report)
    with db.session() as session:
        room = session.exec(select(Room).where(Room.name == name)).one()
    assert db.call(messages.newest_messages, room.id) == []  # both of its messages were left out, reported
    assert list(imports.folder().iterdir()) == []  # the upload is removed when its run is over
    assert time.monotonic() - started < 30


async def test_an_export_over_the_budget_is_refused_and_nothing_is_kept(backend_url, chief, export, monkeypatch):
    monkeypatch.setattr(settings, "IMPORT_MAX_BYTES", 100)
    before = runs()
    answer = await post(backend_url, export[0], {"x-upload-ticket": ticket(chief)})
    assert answer.status_code == 413 and "An export may be at most" in answer.json()["error"]
    assert runs() == before and list(imports.folder().iterdir()) == []


async def test_an_import_whose_process_dies_is_a_failed_run_that_says_so(tmp_path, export, monkeypatch):
    run_id = db.call(imports.start_import, None, "team.zip", str(export[0])).value
    monkeypatch.setattr(sys, "executable", shutil.which("false"))  # the import's process exits at once, 1
    shown = await imports.running(run_id, export[0], remove=False)
    assert shown.status == "failed"
    assert shown.report == (
        "The import stopped before its end (the server's log says why); what it had imported stays, and uploading "
        "the export again goes on from there.",
    )
    assert export[0].is_file() and not export[0].with_suffix(".result.json").exists()
