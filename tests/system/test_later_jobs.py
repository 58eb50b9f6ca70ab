"""Durable jobs across real backend processes: a scheduled message and a reminder survive a kill -9 of the worker
and fire once after the restart; with two workers over Redis racing for the same due jobs, each fires once and the
messages reach the tabs on both workers once each.

These backends have a database of their own: the in-process backend of tests/state (alive for the whole session)
runs the same durable jobs on the shared one, and would take due jobs from under them."""

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from bench.server import Backend
from djangochat_rx import db
from djangochat_rx.domain import accounts, messages, reminders, rooms, scheduled, sessions
from djangochat_rx.models import Message, Reminder, ScheduledMessage, utcnow
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from tests.support.client import STORAGE_KEY, ReflexTab
from tests.system.conftest import backends_over_redis

_ENGINE: list = []


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[str]:
    """A migrated SQLite database only these tests' backends use."""
    url = f"sqlite:///{tmp_path_factory.mktemp('later-jobs') / 'jobs.db'}"
    db.migrate(url)
    _ENGINE.append(db.make_engine(url))
    yield url
    _ENGINE.pop().dispose()


def call(fn: Callable[..., Any], *args: Any) -> Any:
    with Session(_ENGINE[0], expire_on_commit=False) as session:
        return fn(session, *args)


@pytest.fixture(scope="module")
def two_backends(database, tmp_path_factory) -> Iterator[tuple[Backend, Backend]]:
    """Two backends on this module's database (conftest's are on the shared one)."""
    with backends_over_redis(database, tmp_path_factory.mktemp("later-workers")) as backends:
        yield backends


def person(prefix: str) -> tuple[accounts.UserView, str]:
    user = call(accounts.register, f"{prefix}{uuid.uuid4().hex[:6]}", "password123", "password123")
    return user, call(sessions.issue, user.id, "test")


async def open_room(url: str, slug: str, token: str) -> ReflexTab:
    tab = ReflexTab(url, {STORAGE_KEY: token})
    await tab.open(f"/rooms/{slug}")
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return tab


def make_due(model, ids: list[int]) -> None:
    def change(session) -> None:
        session.execute(update(model).where(model.id.in_(ids)).values(due_at=utcnow() - timedelta(seconds=1)))
        session.commit()

    call(change)


def count(body: str) -> int:
    return call(
        lambda session: session.exec(select(func.count()).select_from(Message).where(Message.body == body)).one()
    )


def states(model, ids: list[int]) -> list[str]:
    return call(lambda session: list(session.exec(select(model.state).where(model.id.in_(ids)))))


def notices_heard(tab: ReflexTab) -> list[str]:
    """The ids of the later notices the tab's frames carried, in order."""
    return [
        value["id"]
        for frame in tab.frames
        for delta in frame.get("delta", {}).values()
        for name, value in delta.items()
        if name.startswith("later_notice") and value
    ]


async def test_a_scheduled_message_and_a_reminder_survive_kill_9_and_fire_once_after_restart(database, tmp_path):
    user, token = person("crash-later")
    room = call(rooms.create_room, f"Later crash {uuid.uuid4().hex[:6]}", "", user.id)
    note = call(messages.post_message, room.id, user.id, "remind me of this")
    backend = Backend(database, tmp_path / "first.log")
    backend.start()
    text = f"scheduled before the crash {uuid.uuid4().hex[:6]}"
    soon = utcnow() + timedelta(hours=1)
    job_id = call(scheduled.schedule, user.id, room.id, text, soon)
    reminder_id = call(reminders.remind, user.id, note.id, soon, "")
    backend.kill()  # kill -9: nothing flushed, nothing shut down
    make_due(ScheduledMessage, [job_id])
    make_due(Reminder, [reminder_id])
    assert count(text) == 0

    restarted = Backend(database, tmp_path / "second.log")
    restarted.start()
    try:
        tab = await open_room(restarted.url, room.slug, token)
        await tab.wait_for(lambda: text in tab.texts(), timeout=20)
        await tab.wait_for(lambda: notices_heard(tab) == [f"r{reminder_id}"], timeout=20)
        assert tab.var(AuthState, "later_notice")["href"] == f"/messages/{note.id}"
        await asyncio.sleep(1)  # several more scans of the runner: nothing more happens
        assert count(text) == 1 and tab.texts().count(text) == 1
        assert notices_heard(tab) == [f"r{reminder_id}"]
        assert states(ScheduledMessage, [job_id]) == ["done"] and states(Reminder, [reminder_id]) == ["done"]
        await tab.close()
    finally:
        restarted.stop()


async def test_two_workers_over_redis_fire_each_due_job_once(two_backends):
    first, second = two_backends
    user, token = person("xw-later")
    room = call(rooms.create_room, f"Later race {uuid.uuid4().hex[:6]}", "", user.id)
    note = call(messages.post_message, room.id, user.id, "the thing")
    on_first = await open_room(first.url, room.slug, token)
    on_second = await open_room(second.url, room.slug, token)
    texts = [f"raced {i} {uuid.uuid4().hex[:6]}" for i in range(12)]
    soon = utcnow() + timedelta(hours=1)
    jobs = [call(scheduled.schedule, user.id, room.id, text, soon) for text in texts]
    set_ = [call(reminders.remind, user.id, note.id, soon, f"note {i}") for i in range(6)]
    make_due(ScheduledMessage, jobs)  # due at once for both workers' runners
    make_due(Reminder, set_)

    for tab in (on_first, on_second):
        await tab.wait_for(lambda tab=tab: all(text in tab.texts() for text in texts), timeout=20)
        await tab.wait_for(lambda tab=tab: len(notices_heard(tab)) == len(set_), timeout=20)
    await asyncio.sleep(1)
    assert [count(text) for text in texts] == [1] * len(texts)
    for tab in (on_first, on_second):
        assert [tab.texts().count(text) for text in texts] == [1] * len(texts)
        assert sorted(notices_heard(tab)) == sorted(f"r{reminder_id}" for reminder_id in set_)
    assert set(states(ScheduledMessage, jobs)) == {"done"} and set(states(Reminder, set_)) == {"done"}
    for tab in (on_first, on_second):
        await tab.close()
