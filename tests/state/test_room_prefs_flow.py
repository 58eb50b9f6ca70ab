"""Notification levels and mute over real websockets: the room page's menu sets them, the rooms page lists a
muted room last, and a mention in a muted room marks the room but brings no browser notice."""

import asyncio

from djangochat_rx import db
from djangochat_rx.domain import messages, room_prefs, rooms
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import room_tab, unique


async def test_a_muted_room_is_marked_but_never_notifies_and_is_listed_as_muted(open_tab, make_user):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    carol, carol_token = make_user()
    loud = db.call(rooms.create_room, unique("Loud "), "", alice.id)
    bobs_tab = await room_tab(open_tab, bob_token, loud.slug)
    assert (bobs_tab.var(RoomState, "notify_level"), bobs_tab.var(RoomState, "muted")) == ("mentions", False)
    await bobs_tab.call(RoomState, "toggle_mute")
    await bobs_tab.wait_for(lambda: bobs_tab.var(RoomState, "muted") is True)
    await bobs_tab.call(RoomState, "set_level", level="all")
    await bobs_tab.wait_for(lambda: bobs_tab.var(RoomState, "notify_level") == "all")
    assert db.call(room_prefs.prefs, bob.id, loud.id, loud.kind) == room_prefs.Prefs("all", True)
    await bobs_tab.call(RoomState, "set_level", level="loudest")
    await bobs_tab.wait_for(lambda: "Choose all messages" in bobs_tab.var(RoomState, "error", ""))

    bobs_lobby = await open_tab("/rooms", token=bob_token)
    await bobs_lobby.wait_for(lambda: bobs_lobby.var(RoomsState, "muted") == [loud.slug])
    carols_lobby = await open_tab("/rooms", token=carol_token)
    await carols_lobby.wait_for(lambda: carols_lobby.var(RoomsState, "muted") == [])

    db.call(messages.post_message, loud.id, alice.id, "warming up")
    alices_tab = await room_tab(open_tab, alice_token, loud.slug)
    await alices_tab.call(RoomState, "send", form={"message": f"@{bob.username} and @{carol.username}: look"})
    await carols_lobby.wait_for(lambda: (carols_lobby.var(AuthState, "notice") or {}).get("slug") == loud.slug)
    await bobs_lobby.wait_for(lambda: loud.slug in (bobs_lobby.var(RoomsState, "mentioned") or []))
    await asyncio.sleep(0.3)
    assert not bobs_lobby.var(AuthState, "notice")  # marked, never notified


async def test_at_here_tells_those_in_the_room_now_and_at_room_everyone_who_opened_it(open_tab, make_user):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    carol, carol_token = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", alice.id)
    bobs_room = await room_tab(open_tab, bob_token, hall.slug)  # bob is here
    carols_room = await room_tab(open_tab, carol_token, hall.slug)
    await carols_room.close()  # carol opened it once and left
    bobs_lobby = await open_tab("/rooms", token=bob_token)
    carols_lobby = await open_tab("/rooms", token=carol_token)
    alices_room = await room_tab(open_tab, alice_token, hall.slug)
    # Who is here, as the server has it once carol's leaving is through: bob (and alice), not carol.
    await alices_room.wait_for(
        lambda: bob.username in (here := alices_room.var(RoomState, "present") or []) and carol.username not in here
    )

    await alices_room.call(RoomState, "send", form={"message": "@here who wants coffee?"})
    await bobs_lobby.wait_for(lambda: (bobs_lobby.var(AuthState, "notice") or {}).get("text", "").startswith("@here"))
    await asyncio.sleep(0.3)
    assert not carols_lobby.var(AuthState, "notice")  # not in the room now
    await alices_room.call(RoomState, "send", form={"message": "@room the build is fixed"})
    await carols_lobby.wait_for(
        lambda: (carols_lobby.var(AuthState, "notice") or {}).get("text", "").startswith("@room")
    )
    assert [m["body"] for m in bobs_room.feed()][-2:] == ["@here who wants coffee?", "@room the build is fixed"]
