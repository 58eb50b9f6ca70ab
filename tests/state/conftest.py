"""The real backend in-process, and tabs that talk to it over real websockets."""

import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from djangochat_rx import db
from djangochat_rx.domain import accounts, messages, rooms, sessions
from djangochat_rx.state.room import RoomState
from tests.support.client import STORAGE_KEY, ReflexTab
from tests.support.server import running_backend


@pytest.fixture(scope="session")
def backend_url() -> str:
    with running_backend() as url:
        yield url


@pytest.fixture
async def open_tab(backend_url) -> AsyncIterator[Callable]:
    """Open a tab at a path, optionally already logged in with a session token (and with `headers` on its socket)."""
    tabs: list[ReflexTab] = []

    async def _open(path: str, token: str | None = None, headers: dict[str, str] | None = None) -> ReflexTab:
        tab = ReflexTab(backend_url, {STORAGE_KEY: token} if token else {}, headers)
        tabs.append(tab)
        await tab.open(path)
        return tab

    yield _open
    for tab in tabs:
        await tab.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


async def room_tab(open_tab, token: str, slug: str, headers: dict[str, str] | None = None) -> ReflexTab:
    """A tab on a room's page, once the page has the room."""
    tab = await open_tab(f"/rooms/{slug}", token=token, headers=headers)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return tab


async def beside_a_private_room(open_tab, make_user):
    """The outsider tests' scene: an owner's private room holding "secret plan", the owner's tab on it, and
    an outsider's tab on a public room of the owner's. Returns (owner, room, secret message, outsider, insider)."""
    owner, owner_token = make_user()
    den = db.call(rooms.create_room, unique("Den "), "", owner.id, True)
    secret = db.call(messages.post_message, den.id, owner.id, "secret plan")
    hall = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    _, outsider_token = make_user()
    outsider = await room_tab(open_tab, outsider_token, hall.slug)
    insider = await room_tab(open_tab, owner_token, den.slug)
    return owner, den, secret, outsider, insider


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
