"""The app end to end on PostgreSQL: the backend migrates an empty database at start, its first visitor
is sent to the setup page and creates the administrator (choosing open sign-up), a second user
registers, and they create a room and chat through the real handlers."""

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bench.server import Backend
from bench.services import postgres_server
from djangochat_rx import db
from djangochat_rx.state.auth import AccountFormState
from djangochat_rx.state.joining import SetupState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.support.client import STORAGE_KEY, ReflexTab


async def register(url: str, name: str) -> ReflexTab:
    tab = ReflexTab(url)
    await tab.open("/register")
    form = {"username": name, "password": "password123", "confirm_password": "password123"}
    await tab.call(AccountFormState, "register", form=form)
    await tab.wait_for(lambda: tab.local_storage.get(STORAGE_KEY))
    return tab


async def set_up(url: str, name: str) -> ReflexTab:
    tab = ReflexTab(url)
    await tab.open("/")
    await tab.wait_for(lambda: "/setup" in tab.redirects)
    form = {"username": name, "password": "password123", "confirm_password": "password123", "mode": "open"}
    await tab.navigate("/setup")
    await tab.call(SetupState, "set_up", form=form)
    await tab.wait_for(lambda: "/admin" in tab.redirects)
    assert tab.local_storage.get(STORAGE_KEY)
    return tab


async def test_chat_on_postgres_with_migrations_applied_at_start(tmp_path):
    with postgres_server() as url:
        backend = Backend(url, tmp_path / "backend.log")
        backend.start()
        try:
            alice = await set_up(backend.url, "pg-alice")
            bob = await register(backend.url, "pg-bob")
            await alice.call(RoomsState, "create_room", form={"name": "Postgres room", "description": "pg"})
            await alice.wait_for(lambda: "/rooms/postgres-room" in alice.redirects)
            tabs = []
            for tab in (alice, bob):
                room_tab = ReflexTab(backend.url, dict(tab.local_storage))
                await room_tab.open("/rooms/postgres-room")
                await room_tab.wait_for(lambda t=room_tab: t.var(RoomState, "status") == "ready")
                tabs.append(room_tab)
            await tabs[0].call(RoomState, "send", form={"message": "hello from postgres"})
            await tabs[1].wait_for(lambda: tabs[1].texts() == ["hello from postgres"])
            assert tabs[1].feed()[0]["author"] == "pg-alice"
            engine = sa.create_engine(url)
            with engine.connect() as connection:
                version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
                count = connection.execute(sa.text("SELECT message_count FROM rooms")).scalar()
            engine.dispose()
            head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
            assert (version, count) == (head, 1)
            for tab in (alice, bob, *tabs):
                await tab.close()
        finally:
            backend.stop()
