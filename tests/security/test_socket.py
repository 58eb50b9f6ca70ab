"""The socket: foreign origins are refused at the handshake; oversized frames are refused, one address opens
a bounded number of sockets and one socket sends a bounded number of events, and the server keeps serving
everyone else."""

import asyncio
import uuid

import aiohttp
import pytest
import socketio

from djangochat_rx import settings
from djangochat_rx.realtime.guard import guard
from djangochat_rx.state.room import RoomState
from tests.support.client import NAMESPACE, connect_socket


async def handshake(url: str, origin: str | None) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await connect_socket(client, url, "origin-test", {"Origin": origin} if origin else None, wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


async def test_a_handshake_from_a_foreign_origin_is_refused(backend_url):
    assert await handshake(backend_url, "http://evil.example") is False
    assert await handshake(backend_url, "http://localhost:3000.evil.example") is False
    assert await handshake(backend_url, settings.ALLOWED_ORIGINS[0]) is True


async def test_a_1_mb_frame_is_refused_and_others_are_still_served(open_tab, make_user, room):
    _, token = make_user()
    attacker = await open_tab(f"/rooms/{room.slug}", token=token)
    bystander = await open_tab(f"/rooms/{room.slug}", token=make_user()[1])
    for tab in (attacker, bystander):
        await tab.wait_for(lambda tab=tab: tab.var(RoomState, "status") == "ready")
    await attacker.call(RoomState, "send", form={"message": "x" * 1024 * 1024})
    await attacker.wait_for(lambda: not attacker.sio.connected)
    await bystander.call(RoomState, "send", form={"message": "still here"})
    await bystander.wait_for(lambda: bystander.texts() == ["still here"])


async def test_the_server_pings_often_enough_to_notice_a_dead_link_within_20_seconds(backend_url):
    from djangochat_rx.djangochat_rx import app

    assert app.sio.eio.ping_interval + app.sio.eio.ping_timeout <= 20


async def eventually(predicate, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


async def test_one_address_opens_a_bounded_number_of_sockets(backend_url, monkeypatch):
    """No limit on sockets per client address: now SOCKETS_PER_CLIENT, and a closed one frees its place.
    The sockets come from 127.0.0.2 (loopback too), an address no other test uses."""
    monkeypatch.setattr(settings, "SOCKETS_PER_CLIENT", 2)
    sessions = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))) for _ in range(3)]
    clients = [socketio.AsyncClient(reconnection=False, http_session=session) for session in sessions]
    try:
        for client in clients[:2]:
            await connect_socket(client, backend_url, str(uuid.uuid4()), wait_timeout=5)
        assert guard._per_client["127.0.0.2"] == 2
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connect_socket(clients[2], backend_url, str(uuid.uuid4()), wait_timeout=5)
        await clients[0].disconnect()
        await eventually(lambda: guard._per_client["127.0.0.2"] == 1)
        await connect_socket(clients[2], backend_url, str(uuid.uuid4()), wait_timeout=5)
    finally:
        for client in clients:
            await client.disconnect()
        for session in sessions:
            await session.close()


async def test_a_socket_flooding_events_is_cut_to_its_budget_and_others_are_served(
    open_tab, make_user, room, monkeypatch
):
    """No per-socket event rate (the frontend-exception handler's logs included): now SOCKET_EVENT_LIMIT;
    the rest is dropped unread, and other sockets are served as before."""
    monkeypatch.setattr(settings, "SOCKET_EVENT_LIMIT", "10 per minute")
    _, token = make_user()
    flooder = await open_tab(f"/rooms/{room.slug}", token=token)
    await flooder.wait_for(lambda: flooder.var(RoomState, "status") == "ready")
    sid = flooder.sio.get_sid(NAMESPACE)
    for _ in range(30):
        await flooder.emit(
            "reflex___state____state.reflex___state____frontend_event_exception_state.handle_frontend_exception",
            {"info": "flood " * 100, "component_stack": ""},
        )
    await eventually(lambda: guard.dropped[sid] >= 21)  # at most 10 of its 31 events were read
    monkeypatch.setattr(settings, "SOCKET_EVENT_LIMIT", "100000 per second")
    bystander = await open_tab(f"/rooms/{room.slug}", token=make_user()[1])
    await bystander.wait_for(lambda: bystander.var(RoomState, "status") == "ready")
    await bystander.call(RoomState, "send", form={"message": "still served"})
    await bystander.wait_for(lambda: "still served" in bystander.texts())
