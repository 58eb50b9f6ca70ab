"""Two backend processes sharing Redis and the database: a message posted on one reaches clients on
both, once and in order; a logout on one takes that session's sockets out of rooms on the other;
presence, the rooms list and mentions span workers, and a dead worker's users leave presence."""

import asyncio
import os

from bench.server import Backend
from djangochat_rx import db, settings
from djangochat_rx.domain import accounts, members, rooms, sessions
from djangochat_rx.state.auth import AccountFormState, AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.support.client import STORAGE_KEY, ReflexTab


def member(name: str) -> str:
    user = db.call(accounts.register, name, "password123", "password123")
    return db.call(sessions.issue, user.id, "test")


def bodies(tab: ReflexTab) -> list[str]:
    return tab.texts()


async def open_room(url: str, slug: str, token: str) -> ReflexTab:
    tab = ReflexTab(url, {STORAGE_KEY: token})
    await tab.open(f"/rooms/{slug}")
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return tab


async def test_messages_reach_clients_on_every_worker_once_in_order(two_backends):
    first, second = two_backends
    owner = db.call(accounts.register, "xw-owner", "password123", "password123")
    room = db.call(rooms.create_room, "Cross worker", "", owner.id)
    tabs = [
        await open_room(backend.url, room.slug, member(f"xw-{backend.port}-{i}"))
        for backend in (first, second)
        for i in range(2)
    ]
    expected = []
    for round_ in range(5):
        for index, tab in enumerate(tabs):
            body = f"round {round_} from tab {index}"
            expected.append(body)
            await tab.call(RoomState, "send", form={"message": body})
            await tab.wait_for(lambda body=body, tab=tab: body in bodies(tab))
    for tab in tabs:
        await tab.wait_for(lambda tab=tab: len(bodies(tab)) == len(expected))
        assert bodies(tab) == expected
        for frame in tab.frames:
            window = frame.get("delta", {}).get(RoomState.get_full_name(), {}).get("messages_rx_state_")
            if window:
                ids = [m["id"] for m in window]
                assert ids == sorted(set(ids)), "a window repeated or reordered messages"
    for tab in tabs:
        await tab.close()


async def test_logout_on_one_worker_unsubscribes_the_session_on_the_other(two_backends):
    first, second = two_backends
    owner = db.call(accounts.register, "xw-owner2", "password123", "password123")
    room = db.call(rooms.create_room, "Cross worker logout", "", owner.id)
    shared = member("xw-shared")
    watcher = await open_room(second.url, room.slug, shared)
    speaker = await open_room(first.url, room.slug, member("xw-speaker"))
    leaving = await open_room(first.url, room.slug, shared)
    await leaving.call(AuthState, "logout")
    await leaving.wait_for(lambda: "/login" in leaving.redirects)
    await asyncio.sleep(0.2)
    await speaker.call(RoomState, "send", form={"message": "after logout"})
    await speaker.wait_for(lambda: bodies(speaker) == ["after logout"])
    await speaker.call(RoomState, "send", form={"message": "sync point"})
    await speaker.wait_for(lambda: len(bodies(speaker)) == 2)
    assert bodies(watcher) == []
    for tab in (watcher, speaker, leaving):
        await tab.close()


async def test_presence_and_the_rooms_list_span_workers(two_backends):
    first, second = two_backends
    owner = db.call(accounts.register, "xw-owner3", "password123", "password123")
    room = db.call(rooms.create_room, "Cross worker presence", "", owner.id)
    here = await open_room(first.url, room.slug, member("xw-here"))
    there = await open_room(second.url, room.slug, member("xw-there"))
    both = ["xw-here", "xw-there"]
    await here.wait_for(lambda: here.var(RoomState, "present") == both)
    await there.wait_for(lambda: there.var(RoomState, "present") == both)

    lobby = ReflexTab(second.url, {STORAGE_KEY: member("xw-lobby")})
    await lobby.open("/rooms")
    entry = lambda: next((r for r in lobby.var(RoomsState, "lobby") or [] if r["slug"] == room.slug), {})  # noqa: E731
    await lobby.wait_for(lambda: entry().get("online") == 2)
    await here.call(RoomState, "send", form={"message": "hello @xw-lobby"})
    await lobby.wait_for(lambda: entry().get("last_preview") == "hello @xw-lobby")
    await lobby.wait_for(lambda: lobby.var(RoomsState, "mentioned") == [room.slug])

    await there.close()  # a closed tab on one worker leaves the room on the other
    await here.wait_for(lambda: here.var(RoomState, "present") == ["xw-here"])
    await lobby.wait_for(lambda: entry().get("online") == 1)
    for tab in (here, lobby):
        await tab.close()


async def test_a_dead_workers_users_leave_presence_within_its_ttl(two_backends, tmp_path):
    first, _ = two_backends
    owner = db.call(accounts.register, "xw-owner4", "password123", "password123")
    room = db.call(rooms.create_room, "Cross worker crash", "", owner.id)
    doomed = Backend(os.environ["DATABASE_URL"], tmp_path / "doomed.log", first.redis_url)
    doomed.start()
    try:
        watcher = await open_room(first.url, room.slug, member("xw-watcher"))
        await open_room(doomed.url, room.slug, member("xw-doomed"))
        await watcher.wait_for(lambda: watcher.var(RoomState, "present") == ["xw-doomed", "xw-watcher"])
        doomed.kill()  # no goodbye: its Redis hash must expire and the others must notice
        ttl = settings.PRESENCE_TTL_SECONDS + 2 * settings.PRESENCE_REFRESH_SECONDS
        await watcher.wait_for(lambda: watcher.var(RoomState, "present") == ["xw-watcher"], timeout=ttl)
        await watcher.close()
    finally:
        doomed.stop()


async def test_a_member_removed_on_one_worker_loses_the_room_on_the_other(two_backends):
    first, second = two_backends
    owner_token, member_token = member("xw-den-owner"), member("xw-den-member")
    owner = db.call(sessions.resolve, owner_token)
    room = db.call(rooms.create_room, "Cross worker den", "", owner.user_id, True)
    db.call(members.invite, owner.user_id, room.id, "xw-den-member")
    owner_tab = await open_room(first.url, room.slug, owner_token)
    member_tab = await open_room(second.url, room.slug, member_token)
    member_list = ReflexTab(second.url, {STORAGE_KEY: member_token})
    await member_list.open("/rooms")
    await member_list.wait_for(
        lambda: [r["slug"] for r in member_list.var(RoomsState, "own_rooms") or []] == [room.slug]
    )

    await owner_tab.call(RoomState, "remove_member", username="xw-den-member")
    await member_tab.wait_for(lambda: member_tab.var(RoomState, "status") == "missing")
    await member_list.wait_for(lambda: member_list.var(RoomsState, "own_rooms") == [])
    seen = len(member_tab.frames)
    await owner_tab.call(RoomState, "send", form={"message": "after xw removal"})
    await owner_tab.wait_for(lambda: "after xw removal" in bodies(owner_tab))
    await asyncio.sleep(0.5)
    assert "after xw removal" not in str(member_tab.frames[seen:])
    for tab in (owner_tab, member_tab, member_list):
        await tab.close()


def answered(tab: ReflexTab, before: int) -> bool:
    """Whether the login submitted after frame `before` went busy and then done."""
    state = AccountFormState.get_full_name()
    pending = [
        delta["pending_rx_state_"]
        for frame in tab.frames[before:]
        if "pending_rx_state_" in (delta := frame.get("delta", {}).get(state, {}))
    ]
    return True in pending and pending[-1] is False


async def login(tab: ReflexTab, username: str, password: str) -> str:
    before = len(tab.frames)
    await tab.call(AccountFormState, "login", form={"username": username, "password": password})
    await tab.wait_for(lambda: answered(tab, before), timeout=30)
    return tab.var(AccountFormState, "error")


async def test_parallel_guesses_on_both_workers_share_one_login_budget(two_backends):
    """Issue 13, item 3 with two workers: the account budget lives in Redis and is charged atomically
    before bcrypt, so 20 guesses spread over both workers get 5 checks in all."""
    db.call(accounts.register, "xw-guarded", "password123", "password123")
    tabs = [ReflexTab(backend.url) for backend in two_backends for _ in range(10)]
    for tab in tabs:
        await tab.open("/login")
    try:
        answers = await asyncio.gather(*(login(tab, "xw-guarded", "wrong password") for tab in tabs))
    finally:
        for tab in tabs:
            await tab.close()
    assert answers.count("Invalid username or password.") == 5
    assert answers.count("Too many attempts, try again in 30 minutes.") == 15
