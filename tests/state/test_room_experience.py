"""Presence, edit and delete, scroll-back, the live rooms list and mentions, over real websockets."""

import asyncio

from djangochat_rx import db, settings
from djangochat_rx.domain import messages
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique
from tests.support.client import texts


async def in_room(open_tab, make_user, room, user_and_token=None):
    user, token = user_and_token or make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return user, tab


def lobby_entry(tab, slug):
    return next((item for item in tab.var(RoomsState, "lobby") or [] if item["slug"] == slug), None)


async def test_presence_shows_who_is_here_and_drops_a_closed_tab(open_tab, make_user, room):
    alice, a = await in_room(open_tab, make_user, room)
    bob, b = await in_room(open_tab, make_user, room)
    both = sorted([alice.username, bob.username])
    await a.wait_for(lambda: a.var(RoomState, "present") == both)
    await b.wait_for(lambda: b.var(RoomState, "present") == both)
    _, lobby = await in_room(open_tab, make_user, room)
    await lobby.navigate("/rooms")
    await lobby.wait_for(lambda: (lobby_entry(lobby, room.slug) or {}).get("online") == 2)
    await b.close()  # the tab is closed: its socket disconnects
    await a.wait_for(lambda: a.var(RoomState, "present") == [alice.username])
    await lobby.wait_for(lambda: lobby_entry(lobby, room.slug)["online"] == 1)


async def test_two_tabs_of_one_user_count_once_until_both_leave(open_tab, make_user, room):
    alice, token = make_user()
    _, a1 = await in_room(open_tab, make_user, room, (alice, token))
    _, a2 = await in_room(open_tab, make_user, room, (alice, token))
    _, watcher = await in_room(open_tab, make_user, room)
    await watcher.wait_for(lambda: alice.username in watcher.var(RoomState, "present", []))
    await a1.navigate("/rooms")  # one tab leaves the room page
    await asyncio.sleep(0.2)
    assert alice.username in watcher.var(RoomState, "present")
    await a2.close()
    await watcher.wait_for(lambda: alice.username not in watcher.var(RoomState, "present"))


async def test_edit_and_delete_are_seen_live_and_refused_for_others(open_tab, make_user, room):
    alice, a = await in_room(open_tab, make_user, room)
    _, b = await in_room(open_tab, make_user, room)
    await a.call(RoomState, "send", form={"message": "teh plan"})
    await b.wait_for(lambda: b.texts() == ["teh plan"])
    message_id = b.feed()[0]["id"]

    await b.call(RoomState, "start_edit", message_id=message_id)
    await b.wait_for(lambda: b.var(RoomState, "error") == "You can only change your own messages.")
    await b.call(RoomState, "ask_delete", message_id=message_id)
    await b.call(RoomState, "confirm_delete")
    await b.wait_for(lambda: b.var(RoomState, "deleting_id") == 0)
    assert db.call(messages.newest_messages, room.id)[0].deleted is False

    await a.call(RoomState, "start_edit", message_id=message_id)
    await a.wait_for(lambda: a.var(RoomState, "editing_id") == message_id)
    assert a.var(RoomState, "edit_text") == "teh plan"
    await a.call(RoomState, "save_edit", form={"text": "the plan"})
    await b.wait_for(lambda: b.texts() == ["the plan"] and b.feed()[0]["edited"])

    await a.call(RoomState, "ask_delete", message_id=message_id)
    await a.call(RoomState, "confirm_delete")
    await b.wait_for(lambda: b.feed()[0]["deleted"])
    assert b.texts() == [""] and db.call(messages.newest_messages, room.id)[0].body == ""
    assert alice.username == b.feed()[0]["author"]


async def test_edits_after_the_time_limit_are_refused(open_tab, make_user, room, monkeypatch):
    _, a = await in_room(open_tab, make_user, room)
    await a.call(RoomState, "send", form={"message": "old news"})
    await a.wait_for(lambda: a.texts() == ["old news"])
    monkeypatch.setattr(settings, "EDIT_WINDOW_MINUTES", 0)
    await a.call(RoomState, "start_edit", message_id=a.feed()[0]["id"])
    await a.wait_for(lambda: "for 0 minutes" in a.var(RoomState, "error"))
    assert a.var(RoomState, "editing_id") == 0


async def test_scroll_back_loads_earlier_pages_and_a_gap_is_filled_by_seq(open_tab, make_user, room):
    author, _ = make_user()
    posted = [db.call(messages.post_message, room.id, author.id, f"m{i}") for i in range(170)]
    _, tab = await in_room(open_tab, make_user, room)
    await tab.wait_for(lambda: tab.texts() == [f"m{i}" for i in range(120, 170)])
    await tab.call(RoomState, "load_older", before_id=tab.feed()[0]["id"])
    await tab.wait_for(lambda: tab.texts() == [f"m{i}" for i in range(70, 170)])
    # A batch travels alone (never the whole list): the tab got exactly the 50 messages before the first.
    assert texts(tab.var(RoomState, "history")) == [f"m{i}" for i in range(70, 120)]
    await tab.call(RoomState, "fill_gap", after_id=posted[10].id, before_id=posted[20].id)
    await tab.wait_for(lambda: texts(tab.var(RoomState, "history")) == [f"m{i}" for i in range(11, 20)])


async def test_an_edit_of_a_message_scrolled_back_to_reaches_the_tab(open_tab, make_user, room):
    alice, token = make_user()
    early = db.call(messages.post_message, room.id, alice.id, "early typo")
    for i in range(settings.ROOM_WINDOW):
        db.call(messages.post_message, room.id, alice.id, f"m{i}")
    _, reader = await in_room(open_tab, make_user, room)
    await reader.call(RoomState, "load_older", before_id=reader.feed()[0]["id"])
    await reader.wait_for(lambda: reader.texts()[0] == "early typo")
    _, a = await in_room(open_tab, make_user, room, (alice, token))
    await a.call(RoomState, "start_edit", message_id=early.id)
    await a.wait_for(lambda: a.var(RoomState, "editing_id") == early.id)
    await a.call(RoomState, "save_edit", form={"text": "early, fixed"})
    await reader.wait_for(lambda: reader.texts()[0] == "early, fixed")
    assert len(reader.texts()) == settings.ROOM_WINDOW + 1


async def test_rooms_list_updates_live_with_last_message_and_unread(open_tab, make_user, room):
    alice, a = await in_room(open_tab, make_user, room)
    bob, bob_token = make_user()
    lobby = await open_tab("/rooms", token=bob_token)
    await lobby.wait_for(lambda: lobby_entry(lobby, room.slug) is not None)
    assert lobby.var(RoomsState, "reads")[room.slug] == 0
    await a.call(RoomState, "send", form={"message": "**news** for everyone"})
    entry = await lobby.wait_for(lambda: (e := lobby_entry(lobby, room.slug)) and e["message_count"] == 1 and e)
    assert (entry["last_author"], entry["last_preview"]) == (alice.username, "news for everyone")
    assert lobby.var(RoomsState, "lobby")[0]["slug"] == room.slug  # most recently active first
    # Bob reads the room in another tab: this tab's unread count clears live.
    _, reading = await in_room(open_tab, make_user, room, (bob, bob_token))
    await lobby.wait_for(lambda: lobby.var(RoomsState, "read_marks", {}).get(room.slug) == 1)
    # Alice's own message never counts as unread for her.
    alice_lobby = await open_tab("/rooms", token=a.local_storage["djangochat_session"])
    await alice_lobby.wait_for(lambda: alice_lobby.var(RoomsState, "reads").get(room.slug) == 1)
    assert reading.var(RoomState, "first_unread_seq") == 1


async def test_a_mention_marks_the_room_and_sends_a_notice_until_read(open_tab, make_user, room):
    # `@` offers the first 1000 names in name order; the session's database holds more people than that by the
    # time this runs, so these two are named to come first ("0" sorts before letters) whatever ran before.
    alice, a = await in_room(open_tab, make_user, room, make_user(unique("0mention-")))
    bob, bob_token = make_user(unique("0mention-"))
    lobby = await open_tab("/rooms", token=bob_token)
    await lobby.wait_for(lambda: lobby_entry(lobby, room.slug) is not None)
    assert a.var(RoomState, "mention_names") == []  # loaded when first needed, not with every page
    await a.call(RoomState, "load_mention_names")
    await a.wait_for(lambda: {alice.username, bob.username} <= set(a.var(RoomState, "mention_names")))
    await a.call(RoomState, "send", form={"message": f"ping @{bob.username.upper()} please"})
    await lobby.wait_for(lambda: lobby.var(RoomsState, "mentioned") == [room.slug])
    notice = lobby.var(AuthState, "notice")
    assert (notice["author"], notice["room"], notice["slug"]) == (alice.username, room.name, room.slug)
    assert notice["text"] == f"ping @{bob.username.upper()} please"
    window = await a.wait_for(lambda: a.feed())
    assert window[0]["mentions"] == [bob.username] and 'class="mention"' in window[0]["html"]
    await in_room(open_tab, make_user, room, (bob, bob_token))
    await lobby.wait_for(lambda: lobby.var(RoomsState, "mentioned") == [])


async def test_a_private_room_is_listed_for_its_members_only_and_refused_to_others(open_tab, make_user):
    _, owner_token = make_user()
    owner = await open_tab("/rooms", token=owner_token)
    name = unique("Hideout ")
    await owner.call(RoomsState, "create_room", form={"name": name, "description": "", "private": True})
    await owner.wait_for(lambda: owner.redirects)
    slug = owner.redirects[-1].rsplit("/", 1)[-1]
    await owner.navigate("/rooms")
    await owner.wait_for(lambda: [r["slug"] for r in owner.var(RoomsState, "own_rooms", [])] == [slug])

    _, outsider_token = make_user()
    outsider = await open_tab("/rooms", token=outsider_token)
    await outsider.wait_for(lambda: outsider.var(AuthState, "username"))
    await asyncio.sleep(0.3)  # the lobby frame has arrived by now
    assert slug not in [r["slug"] for r in outsider.var(RoomsState, "lobby") or []]
    assert outsider.var(RoomsState, "own_rooms") == []
    peek = await open_tab(f"/rooms/{slug}", token=outsider_token)
    await peek.wait_for(lambda: peek.var(RoomState, "status") == "missing")
    await peek.call(RoomState, "send", form={"message": "let me in"})
    await peek.wait_for(lambda: peek.var(RoomState, "error") == "This room is not open.")
