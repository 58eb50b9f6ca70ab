"""Issue 13, items 6-7 and the findings from reading the code, over real sockets: a browser-chosen slug
steers nothing, archived rooms are read-only for edits and deletions too, and a reused client id never
answers with another room's message."""

import asyncio

from sqlmodel import select

from djangochat_rx import db, settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import messages, rooms
from djangochat_rx.models import Room
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique
from tests.support.server import on_backend

ROOMS = RoomsState.get_full_name()


async def room_tab(open_tab, token: str, slug: str):
    tab = await open_tab(f"/rooms/{slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return tab


async def test_a_slug_in_the_events_router_data_steers_no_send_no_notice_and_no_read_mark(open_tab, make_user, room):
    """Item 7: a mention notice linked to an attacker-chosen slug, and 200 fake slugs in mark_read left 203
    keys in the user's read marks. The server uses the room it opened, never the router's slug."""
    _, token = make_user()
    bob, bob_token = make_user()
    tab = await room_tab(open_tab, token, room.slug)
    watcher = await open_tab("/rooms", token=bob_token)
    await watcher.wait_for(lambda: watcher.var(RoomsState, "lobby"))
    mine = await open_tab("/rooms", token=token)
    await mine.wait_for(lambda: mine.var(RoomsState, "lobby"))

    tab.path = "/rooms/attacker-chosen"  # what the events say the page is; the page itself stays
    await tab.call(RoomState, "send", form={"message": f"hey @{bob.username}"})
    notice = await watcher.wait_for(lambda: watcher.var(AuthState, "notice"))
    assert (notice["slug"], notice["room"]) == (room.slug, room.name)
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == [f"hey @{bob.username}"]

    for n in range(200):
        tab.path = f"/rooms/fake-{n}"
        await tab.call(RoomState, "mark_read", seq=1)
    tab.path = f"/rooms/{room.slug}"
    await tab.call(RoomState, "send", form={"message": "and the marks?"})
    await mine.wait_for(lambda: (mine.var(RoomsState, "read_marks") or {}).get(room.slug) == 2)
    assert set(mine.var(RoomsState, "read_marks")) == {room.slug}


async def test_messages_in_an_archived_room_cannot_be_edited_or_deleted(open_tab, make_user):
    owner, token = make_user()
    room = db.call(rooms.create_room, unique("Room "), "", owner.id)
    sent = db.call(messages.post_message, room.id, owner.id, "as it was")
    db.call(rooms.archive_room, owner.id, room.id)
    tab = await room_tab(open_tab, token, room.slug)
    await tab.call(RoomState, "start_edit", message_id=sent.id)
    await tab.wait_for(lambda: tab.var(RoomState, "error"))
    assert tab.var(RoomState, "error") == "This room is archived; nobody can change its messages."
    await tab.call(RoomState, "send", form={"message": "new"})  # another answer in between
    await tab.wait_for(lambda: tab.var(RoomState, "error") == "This room is archived; nobody can post in it.")
    for handler, payload in (("ask_delete", {"message_id": sent.id}), ("confirm_delete", {})):
        await tab.call(RoomState, handler, **payload)
    await tab.wait_for(lambda: "change its messages" in tab.var(RoomState, "error"))
    assert tab.var(RoomState, "error") == "This room is archived; nobody can change its messages."
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == ["as it was"]


async def test_a_client_id_reused_in_another_room_posts_there_instead_of_answering_with_the_first(
    open_tab, make_user, room
):
    """A stale draft id after a reconnect returned another room's message and posted nothing, silently."""
    user, token = make_user()
    other = db.call(rooms.create_room, unique("Other "), "", user.id)
    first = await room_tab(open_tab, token, room.slug)
    await first.call(RoomState, "send", form={"message": "same words", "client_id": "draft-1"})
    await first.wait_for(lambda: first.texts() == ["same words"])
    second = await room_tab(open_tab, token, other.slug)
    await second.call(RoomState, "send", form={"message": "same words", "client_id": "draft-1"})
    await second.wait_for(lambda: second.texts() == ["same words"])
    assert [m.body for m in db.call(messages.newest_messages, other.id)] == ["same words"]
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == ["same words"]


async def test_room_creation_is_throttled_per_user(open_tab, make_user, monkeypatch):
    """Item 6: 100 rooms in 1.2 s, none refused. Now a burst of 10, then "too fast"; nothing is created."""
    from limits import parse

    from djangochat_rx.infra import throttle

    await throttle._limiter().storage.reset()
    monkeypatch.setattr(throttle, "CREATE_LIMITS", [parse("10 per minute"), parse("100 per day")])
    user, token = make_user()
    tab = await open_tab("/rooms", token=token)
    for n in range(10):
        await tab.call(RoomsState, "create_room", form={"name": unique(f"Burst {n} "), "description": ""})
        await tab.wait_for(lambda n=n: len(tab.redirects) == n + 1)
    await tab.call(RoomsState, "create_room", form={"name": unique("One too many "), "description": ""})
    await tab.wait_for(lambda: tab.var(RoomsState, "error"))
    assert tab.var(RoomsState, "error") == "You are creating rooms too fast. Try again later."
    owned = db.call(lambda session: session.exec(select(Room).where(Room.created_by_id == user.id)).all())
    assert len(owned) == 10
    await throttle._limiter().storage.reset()


async def test_the_rooms_list_sends_one_page_however_many_rooms_exist(open_tab, make_user):
    """Item 6: every rooms-page viewer got frames growing to 73 KB with the number of rooms. The live list
    holds the first ROOMS_LIST_PAGE public rooms; "Show more rooms" reads the next page."""
    owner, _ = make_user()
    made = [db.call(rooms.create_room, unique("Many "), "", owner.id) for _ in range(2 * settings.ROOMS_LIST_PAGE + 5)]
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    await tab.wait_for(lambda: tab.var(RoomsState, "lobby"))
    public = db.call(lambda session: len(session.exec(select(Room.id).where(Room.kind == "public")).all()))
    assert len(tab.var(RoomsState, "lobby")) == settings.ROOMS_LIST_PAGE
    assert tab.var(RoomsState, "lobby_total") == public

    before = len(tab.frames)
    await on_backend(perform(message_actions.send_message, owner.id, made[0].id, "wakes an old room up"))
    await tab.wait_for(lambda: any(room["slug"] == made[0].slug for room in tab.var(RoomsState, "lobby")[:1]))
    sizes = [
        len(f["delta"][ROOMS]["lobby_rx_state_"])
        for f in tab.frames[before:]
        if "lobby_rx_state_" in f.get("delta", {}).get(ROOMS, {})
    ]
    assert sizes and max(sizes) == settings.ROOMS_LIST_PAGE

    shown = {room["id"] for room in tab.var(RoomsState, "lobby")}
    await tab.call(RoomsState, "show_more_rooms")
    older = await tab.wait_for(lambda: tab.var(RoomsState, "older"))
    assert len(older) == min(settings.ROOMS_LIST_PAGE, public - settings.ROOMS_LIST_PAGE)
    assert not shown & {room["id"] for room in older}


async def test_a_socket_gone_while_joining_leaves_no_presence_behind(open_tab, make_user, room):
    """A socket that disconnected while joining (its disconnect handled before the join's last step) stayed
    "here" for good, and in the room's group."""
    from djangochat_rx.realtime import hub
    from djangochat_rx.realtime.sockets import ROOM, sockets

    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)  # the room is watched on the backend
    await on_backend(hub.join("a-socket-already-gone", room.id, "ghost"))
    assert hub.presence.watcher("a-socket-already-gone") is None
    assert "a-socket-already-gone" not in sockets.members(f"{ROOM}{room.id}")
    assert tab.var(RoomState, "status") == "ready"


async def test_a_session_that_expires_stops_receiving_without_acting(open_tab, make_user, room):
    """Live pushes went on after a session's idle or absolute expiry until its tab acted: each worker's
    sweep (SESSION_SWEEP_SECONDS) now cuts off the sockets of sessions that ended meanwhile."""
    from datetime import timedelta

    from sqlalchemy import update

    from djangochat_rx.models import UserSession, utcnow
    from djangochat_rx.realtime import hub
    from djangochat_rx.realtime.sockets import ROOM, sockets
    from tests.support.client import NAMESPACE

    user, token = make_user()
    _, sender_token = make_user()
    expiring = await room_tab(open_tab, token, room.slug)
    control = await room_tab(open_tab, sender_token, room.slug)

    def expire(session) -> None:
        past = utcnow() - timedelta(seconds=1)
        session.execute(update(UserSession).where(UserSession.user_id == user.id).values(expires_at=past))
        session.commit()

    db.call(expire)
    ended = await on_backend(hub.sweep_sessions())
    assert len(ended) == 1
    assert expiring.sio.get_sid(NAMESPACE) not in sockets.members(f"{ROOM}{room.id}")
    await control.call(RoomState, "send", form={"message": "after the expiry"})
    await control.wait_for(lambda: "after the expiry" in control.texts())
    await asyncio.sleep(0.3)  # the frame went to every socket of the room at once
    assert "after the expiry" not in expiring.texts()


async def test_searching_is_throttled_per_user(open_tab, make_user, monkeypatch):
    """No search rate limit: each search reads the full-text index. Now SEARCH_LIMITS per user."""
    from limits import parse

    from djangochat_rx.infra import throttle
    from djangochat_rx.state.search import SearchState

    await throttle._limiter().storage.reset()
    monkeypatch.setattr(throttle, "SEARCH_LIMITS", [parse("2 per minute")])
    _, token = make_user()
    answers = []
    for _ in range(3):
        tab = await open_tab("/search?q=anything", token=token)
        await tab.wait_for(lambda tab=tab: tab.var(SearchState, "searched") or tab.var(SearchState, "error"))
        answers.append(tab.var(SearchState, "error") or "")
    assert answers == ["", "", "You are searching too fast. Wait a moment and search again."]
    await throttle._limiter().storage.reset()
