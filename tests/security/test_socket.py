"""The socket: foreign origins are refused at the handshake; oversized frames are refused and the
server keeps serving everyone else."""

import socketio

from djangochat_rx import settings
from djangochat_rx.state.room import RoomState
from tests.support.client import connect_socket


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
