"""The typing indicator: seen live by the others, cleared on send or after a few idle seconds."""

import asyncio

from djangochat_rx import settings
from djangochat_rx.state.room import RoomState


async def in_room(open_tab, make_user, room):
    user, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return user, tab


async def test_typing_is_seen_by_others_and_cleared_by_sending(open_tab, make_user, room):
    alice, a = await in_room(open_tab, make_user, room)
    bob, b = await in_room(open_tab, make_user, room)
    await a.call(RoomState, "typing_now", _text="h")
    await b.wait_for(lambda: b.var(RoomState, "typing") == [alice.username])
    await b.call(RoomState, "typing_now", _text="y")
    await a.wait_for(lambda: a.var(RoomState, "typing") == sorted([alice.username, bob.username]))
    await a.call(RoomState, "send", form={"message": "hello"})
    await b.wait_for(lambda: b.var(RoomState, "typing") == [bob.username])
    _, c = await in_room(open_tab, make_user, room)
    assert c.var(RoomState, "typing") == [bob.username]  # a tab that joins sees who is typing


async def test_typing_expires_after_the_idle_timeout(open_tab, make_user, room, monkeypatch):
    monkeypatch.setattr(settings, "TYPING_TTL_SECONDS", 0.3)
    alice, a = await in_room(open_tab, make_user, room)
    _, b = await in_room(open_tab, make_user, room)
    await a.call(RoomState, "typing_now", _text="h")
    await b.wait_for(lambda: b.var(RoomState, "typing") == [alice.username])
    await asyncio.sleep(0.1)
    await a.call(RoomState, "typing_now", _text="he")  # still typing: the timer restarts, no new frame
    await b.wait_for(lambda: b.var(RoomState, "typing") == [], timeout=3)


async def test_typing_without_a_session_is_ignored(open_tab, make_user, room):
    _, watcher = await in_room(open_tab, make_user, room)
    stranger = await open_tab(f"/rooms/{room.slug}")
    await stranger.call(RoomState, "typing_now", _text="boo")
    await asyncio.sleep(0.2)
    assert watcher.var(RoomState, "typing") == []
