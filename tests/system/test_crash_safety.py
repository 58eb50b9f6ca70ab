"""kill -9 of the backend mid-stream: every acknowledged message survives, none is doubled, and
re-sending the unacknowledged ones with their client ids posts each exactly once."""

import asyncio
import os
import uuid

from sqlmodel import select

from bench.server import Backend
from djangochat_rx import db
from djangochat_rx.domain import accounts, rooms, sessions
from djangochat_rx.models import Message
from djangochat_rx.state.room import RoomState
from tests.support.client import STORAGE_KEY, ReflexTab


def acknowledged(tab: ReflexTab) -> set[str]:
    """Messages the sender was shown as sent: they came back through the room's feed (after commit)."""
    return set(tab.texts())


async def test_kill_9_mid_stream_loses_no_acknowledged_message_and_doubles_none(tmp_path):
    user = db.call(accounts.register, "crash-sender", "password123", "password123")
    token = db.call(sessions.issue, user.id, "test")
    room = db.call(rooms.create_room, "Crash room", "", user.id)
    outbox = {f"crash message {i}": uuid.uuid4().hex for i in range(40)}

    backend = Backend(os.environ["DATABASE_URL"], tmp_path / "first.log")
    backend.start()
    tab = ReflexTab(backend.url, {STORAGE_KEY: token})
    await tab.open(f"/rooms/{room.slug}")
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    for index, (body, client_id) in enumerate(outbox.items()):
        await tab.call(RoomState, "send", form={"message": body, "client_id": client_id})
        if index == 20:
            backend.kill()
            break
        await asyncio.sleep(0.005)
    acked = acknowledged(tab) & outbox.keys()
    await tab.sio.disconnect()
    assert acked, "the backend died before acknowledging anything"

    restarted = Backend(os.environ["DATABASE_URL"], tmp_path / "second.log")
    restarted.start()
    try:

        def stored() -> list[str]:
            with db.session() as session:
                return list(session.exec(select(Message.body).where(Message.room_id == room.id)))

        saved = stored()
        assert acked <= set(saved), "an acknowledged message was lost"
        assert len(saved) == len(set(saved)), "a message was stored twice"

        retry = ReflexTab(restarted.url, {STORAGE_KEY: token})
        await retry.open(f"/rooms/{room.slug}")
        await retry.wait_for(lambda: retry.var(RoomState, "status") == "ready")
        for body, client_id in outbox.items():  # the user presses Send again on everything
            await retry.call(RoomState, "send", form={"message": body, "client_id": client_id})
        await retry.wait_for(lambda: len(stored()) == len(outbox), timeout=20)
        await asyncio.sleep(0.3)
        assert sorted(stored()) == sorted(outbox)
        await retry.close()
    finally:
        restarted.stop()
