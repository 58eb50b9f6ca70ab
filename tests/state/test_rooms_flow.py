"""Rooms list, room creation, the room page, live fan-out and identity, over real websockets."""

import asyncio

from djangochat_rx import db
from djangochat_rx.domain import messages, rooms
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.profile import ProfileState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique
from tests.state.test_sidebar_flow import lobby_frames


def bodies(tab) -> list[str]:
    return tab.texts()


async def test_rooms_page_lists_rooms_with_counts(open_tab, make_user, room):
    user, token = make_user()
    db.call(messages.post_message, room.id, user.id, "hello")
    tab = await open_tab("/rooms", token=token)
    listed = await tab.wait_for(lambda: tab.var(RoomsState, "lobby"))
    mine = next(r for r in listed if r["slug"] == room.slug)
    assert (mine["name"], mine["description"], mine["message_count"]) == (room.name, "for tests", 1)


async def test_create_room_opens_it_and_duplicates_are_refused(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    name = unique("Team ")
    await tab.call(RoomsState, "create_room", form={"name": name, "description": "ours"})
    await tab.wait_for(lambda: tab.redirects)
    slug = db.call(rooms.room_by_slug, tab.redirects[-1].rsplit("/", 1)[-1]).slug
    assert tab.redirects == [f"/rooms/{slug}"]
    await tab.call(RoomsState, "create_room", form={"name": name.upper(), "description": ""})
    await tab.wait_for(lambda: "already exists" in tab.var(RoomsState, "error", ""))
    await tab.call(RoomsState, "create_room", form={"name": "", "description": ""})
    await tab.wait_for(lambda: "1–64" in tab.var(RoomsState, "error", ""))


async def test_room_page_shows_the_newest_50_oldest_first(open_tab, make_user, room):
    user, token = make_user()
    for i in range(55):
        db.call(messages.post_message, room.id, user.id, f"m{i}")
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: len(bodies(tab)) == 50 and tab.var(RoomState, "status") == "ready")
    assert bodies(tab) == [f"m{i}" for i in range(5, 55)]
    assert tab.var(RoomState, "room_name") == room.name


async def test_unknown_room_shows_not_found(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/rooms/no-such-room", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "missing")
    assert tab.redirects == []


async def test_message_reaches_every_tab_in_the_room_once_and_only_that_room(open_tab, make_user, room):
    alice, alice_token = make_user()
    bob, bob_token = make_user()
    elsewhere = db.call(rooms.create_room, unique("Elsewhere "), "", alice.id)
    a = await open_tab(f"/rooms/{room.slug}", token=alice_token)
    b = await open_tab(f"/rooms/{room.slug}", token=bob_token)
    outsider = await open_tab(f"/rooms/{elsewhere.slug}", token=bob_token)
    await asyncio.gather(*(t.wait_for(lambda t=t: t.var(RoomState, "status") == "ready") for t in (a, b, outsider)))
    await a.call(RoomState, "send", form={"message": "hi from alice"})
    await b.wait_for(lambda: bodies(b) == ["hi from alice"])
    await a.wait_for(lambda: bodies(a) == ["hi from alice"])
    await b.call(RoomState, "send", form={"message": "<b>bob</b> here"})
    await a.wait_for(lambda: bodies(a) == ["hi from alice", "<b>bob</b> here"])
    window = a.feed()
    assert [m["author"] for m in window] == [alice.username, bob.username]
    assert bodies(outsider) == []


async def test_a_client_cannot_post_under_another_name(open_tab, make_user, room):
    alice, alice_token = make_user()
    bob, _ = make_user()
    a = await open_tab(f"/rooms/{room.slug}", token=alice_token)
    await a.wait_for(lambda: a.var(RoomState, "status") == "ready")
    forged = {"message": "I am bob", "author": bob.username, "username": bob.username, "user_id": bob.id}
    await a.call(RoomState, "send", form=forged)
    await a.wait_for(lambda: bodies(a) == ["I am bob"])
    assert a.feed()[0]["author"] == alice.username


async def test_without_a_valid_session_nothing_is_posted(open_tab, make_user, room):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    await tab.call(AuthState, "logout")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    await tab.call(RoomState, "send", form={"message": "after logout"})
    await tab.wait_for(lambda: tab.redirects.count("/login") == 2)
    stranger = await open_tab(f"/rooms/{room.slug}")
    await stranger.call(RoomState, "send", form={"message": "no session"})
    await stranger.wait_for(lambda: stranger.redirects.count("/login") == 2)
    assert db.call(messages.newest_messages, room.id) == []


async def test_empty_and_oversized_messages_show_an_error_and_save_nothing(open_tab, make_user, room):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    await tab.call(RoomState, "send", form={"message": "   "})
    await tab.wait_for(lambda: tab.var(RoomState, "error") == "Type a message first.")
    await tab.call(RoomState, "send", form={"message": "x" * 4001})
    await tab.wait_for(lambda: "limit is 4000" in tab.var(RoomState, "error"))
    assert db.call(messages.newest_messages, room.id) == []


async def test_leaving_the_room_page_stops_the_feed(open_tab, make_user, room):
    _, alice_token = make_user()
    _, bob_token = make_user()
    a = await open_tab(f"/rooms/{room.slug}", token=alice_token)
    b = await open_tab(f"/rooms/{room.slug}", token=bob_token)
    await asyncio.gather(*(t.wait_for(lambda t=t: t.var(RoomState, "status") == "ready") for t in (a, b)))
    shown = lobby_frames(b)  # the sidebar's lists came with the room page
    await b.navigate("/rooms")
    await b.wait_for(lambda: lobby_frames(b) > shown)  # read again by the rooms page, once the tab left the room
    await a.call(RoomState, "send", form={"message": "b has left"})
    await a.wait_for(lambda: bodies(a) == ["b has left"])
    await a.call(RoomState, "send", form={"message": "sync point"})
    await a.wait_for(lambda: len(bodies(a)) == 2)
    assert bodies(b) == []


async def test_profile_shows_name_and_message_count(open_tab, make_user, room):
    user, token = make_user()
    db.call(messages.post_message, room.id, user.id, "one")
    own = await open_tab("/profile", token=token)
    await own.wait_for(lambda: own.redirects == [f"/users/{user.username}"])
    tab = await open_tab(f"/users/{user.username}", token=token)
    await tab.wait_for(lambda: tab.var(ProfileState, "joined"))
    assert tab.var(ProfileState, "message_count") == 1 and tab.var(AuthState, "username") == user.username
    assert tab.var(ProfileState, "is_me") is True


async def test_logout_in_one_tab_takes_every_tab_of_that_session_out_of_the_room(open_tab, make_user, room):
    _, shared_token = make_user()
    _, other_token = make_user()
    first = await open_tab(f"/rooms/{room.slug}", token=shared_token)
    second = await open_tab(f"/rooms/{room.slug}", token=shared_token)
    other = await open_tab(f"/rooms/{room.slug}", token=other_token)
    await asyncio.gather(
        *(t.wait_for(lambda t=t: t.var(RoomState, "status") == "ready") for t in (first, second, other))
    )
    await first.call(AuthState, "logout")
    await first.wait_for(lambda: "/login" in first.redirects)
    await other.call(RoomState, "send", form={"message": "after logout"})
    await other.wait_for(lambda: bodies(other) == ["after logout"])
    await other.call(RoomState, "send", form={"message": "sync point"})
    await other.wait_for(lambda: len(bodies(other)) == 2)
    assert bodies(second) == [] and bodies(first) == []


async def test_a_resent_message_with_the_same_draft_id_is_posted_once(open_tab, make_user, room):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    draft = await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready" and tab.var(RoomState, "draft_id"))
    for _ in range(2):
        await tab.call(RoomState, "send", form={"message": "retried", "client_id": draft})
    await tab.wait_for(lambda: tab.var(RoomState, "draft_id") != draft)
    await tab.call(RoomState, "send", form={"message": "next", "client_id": tab.var(RoomState, "draft_id")})
    await tab.wait_for(lambda: bodies(tab) == ["retried", "next"])
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == ["retried", "next"]
