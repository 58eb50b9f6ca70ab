"""The real backend in-process, and tabs that talk to it over real websockets."""

import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from djangochat_rx import accounts, db, rooms, sessions
from tests.support.client import STORAGE_KEY, ReflexTab
from tests.support.server import running_backend


@pytest.fixture(scope="session")
def backend_url() -> str:
    with running_backend() as url:
        yield url


@pytest.fixture
async def open_tab(backend_url) -> AsyncIterator[Callable]:
    """Open a tab at a path, optionally already logged in with a session token."""
    tabs: list[ReflexTab] = []

    async def _open(path: str, token: str | None = None) -> ReflexTab:
        tab = ReflexTab(backend_url, {STORAGE_KEY: token} if token else {})
        tabs.append(tab)
        await tab.open(path)
        return tab

    yield _open
    for tab in tabs:
        await tab.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_user() -> Callable[[], tuple[accounts.UserView, str]]:
    """A registered user and a live session token for them (made through the domain functions)."""

    def _make(name: str | None = None) -> tuple[accounts.UserView, str]:
        user = db.call(accounts.register, name or unique("u"), "password123", "password123")
        return user, db.call(sessions.issue, user.id, "test")

    return _make


@pytest.fixture
def room(make_user) -> rooms.RoomView:
    owner, _ = make_user()
    return db.call(rooms.create_room, unique("Room "), "for tests", owner.id)
