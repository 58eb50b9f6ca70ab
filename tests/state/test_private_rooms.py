"""Private rooms and direct conversations over real websockets: members, invitations, removal,
the owner's settings, the live rooms list, and what an outsider's socket can (not) do."""

import asyncio

from djangochat_rx import db, settings
from djangochat_rx.domain import members, messages, rooms
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique


async def private_room(open_tab, make_user):
    """An owner (with a tab on the room) of a new private room."""
    owner, token = make_user()
    room = db.call(rooms.create_room, unique("Den "), "secret plans", owner.id, True)
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return owner, token, room, tab


async def member_tab(open_tab, make_user, owner_tab, room):
    """A user the owner invites through the page, with a tab on the room."""
    user, token = make_user()
    await owner_tab.call(RoomState, "invite", form={"username": user.username})
    await owner_tab.wait_for(lambda: user.username in names(owner_tab))
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    return user, token, tab


def names(tab) -> list[str]:
    return [member["username"] for member in tab.var(RoomState, "members") or []]


def own_slugs(tab) -> list[str]:
    return [item["slug"] for item in tab.var(RoomsState, "own_rooms") or []]


async def test_an_invited_user_sees_the_room_appear_in_their_list_and_its_messages_live(open_tab, make_user):
    owner, _, room, owner_tab = await private_room(open_tab, make_user)
    guest, guest_token = make_user()
    rooms_list = await open_tab("/rooms", token=guest_token)
    await rooms_list.wait_for(lambda: rooms_list.var(RoomsState, "lobby") is not None)
    assert room.slug not in own_slugs(rooms_list)

    await owner_tab.call(RoomState, "invite", form={"username": guest.username.upper()})
    await owner_tab.wait_for(
        lambda: owner_tab.var(RoomState, "panel_notice") == f"{guest.username} can now see this room."
    )
    await rooms_list.wait_for(lambda: own_slugs(rooms_list) == [room.slug])
    assert names(owner_tab) == [owner.username, guest.username]

    await owner_tab.call(RoomState, "send", form={"message": "welcome in"})
    row = await rooms_list.wait_for(
        lambda: next((r for r in rooms_list.var(RoomsState, "own_rooms") if r["last_preview"] == "welcome in"), None)
    )
    assert (row["last_author"], row["message_count"], row["kind"]) == (owner.username, 1, "private")

    await owner_tab.call(RoomState, "invite", form={"username": "nobody-" + unique("x")})
    await owner_tab.wait_for(lambda: owner_tab.var(RoomState, "panel_error").startswith("There is no user named"))


async def test_a_removed_member_stops_receiving_the_room_at_once_and_sees_it_vanish(open_tab, make_user):
    owner, _, room, owner_tab = await private_room(open_tab, make_user)
    member, member_token, member_tab_ = await member_tab(open_tab, make_user, owner_tab, room)
    member_list = await open_tab("/rooms", token=member_token)
    await member_list.wait_for(lambda: own_slugs(member_list) == [room.slug])
    await owner_tab.call(RoomState, "send", form={"message": "before"})
    await member_tab_.wait_for(lambda: member_tab_.texts() == ["before"])

    await owner_tab.call(RoomState, "remove_member", username=member.username)
    await member_tab_.wait_for(lambda: member_tab_.var(RoomState, "status") == "missing")
    await member_list.wait_for(lambda: own_slugs(member_list) == [])
    await owner_tab.wait_for(lambda: names(owner_tab) == [owner.username])

    frames = len(member_tab_.frames)
    await owner_tab.call(RoomState, "send", form={"message": "after the removal"})
    await owner_tab.wait_for(lambda: "after the removal" in owner_tab.texts())
    await asyncio.sleep(0.5)
    assert all("after the removal" not in str(frame) for frame in member_tab_.frames[frames:])
    await member_tab_.call(RoomState, "send", form={"message": "still here?"})
    await member_tab_.wait_for(lambda: member_tab_.var(RoomState, "error") == "This room is not open.")
    assert [view.body for view in db.call(messages.newest_messages, room.id)] == ["before", "after the removal"]


async def test_only_the_owner_renames_archives_removes_or_deletes(open_tab, make_user):
    owner, _, room, owner_tab = await private_room(open_tab, make_user)
    member, _, mtab = await member_tab(open_tab, make_user, owner_tab, room)
    for handler, payload in [
        ("save_room", {"form": {"name": "Mine now", "description": ""}}),
        ("set_archived", {"archived": True}),
        ("remove_member", {"username": owner.username}),
        ("delete_room", {}),
    ]:
        await mtab.call(RoomState, handler, **payload)
        await mtab.wait_for(lambda: mtab.var(RoomState, "panel_error") == "Only the room's owner can do that.")
        await mtab.call(RoomState, "toggle_panel", name="members")  # clears the message for the next one
        await mtab.wait_for(lambda: mtab.var(RoomState, "panel_error") == "")
    current = db.call(rooms.open_room, owner.id, room.slug)
    assert (current.name, current.archived) == (room.name, False)
    assert [m.username for m in db.call(members.members, owner.id, room.id)] == [owner.username, member.username]


async def test_rename_and_archive_reach_open_pages_and_archiving_stops_posting(open_tab, make_user):
    _, _, room, owner_tab = await private_room(open_tab, make_user)
    _, member_token, mtab = await member_tab(open_tab, make_user, owner_tab, room)
    member_list = await open_tab("/rooms", token=member_token)
    await member_list.wait_for(lambda: own_slugs(member_list) == [room.slug])

    new_name = unique("War room ")
    await owner_tab.call(RoomState, "save_room", form={"name": new_name, "description": "moved"})
    await mtab.wait_for(lambda: mtab.var(RoomState, "room_name") == new_name)
    assert mtab.var(RoomState, "room_description") == "moved"
    await member_list.wait_for(lambda: member_list.var(RoomsState, "own_rooms")[0]["name"] == new_name)

    await owner_tab.call(RoomState, "set_archived", archived=True)
    await mtab.wait_for(lambda: mtab.var(RoomState, "archived") is True)
    await member_list.wait_for(lambda: member_list.var(RoomsState, "own_rooms")[0]["archived"] is True)
    await mtab.call(RoomState, "send", form={"message": "too late"})
    await mtab.wait_for(lambda: mtab.var(RoomState, "error") == "This room is archived; nobody can post in it.")

    await owner_tab.call(RoomState, "set_archived", archived=False)
    await mtab.wait_for(lambda: mtab.var(RoomState, "archived") is False)


async def test_deleting_a_room_takes_it_from_every_open_page_and_list(open_tab, make_user):
    _, _, room, owner_tab = await private_room(open_tab, make_user)
    _, member_token, mtab = await member_tab(open_tab, make_user, owner_tab, room)
    member_list = await open_tab("/rooms", token=member_token)
    await member_list.wait_for(lambda: own_slugs(member_list) == [room.slug])

    await owner_tab.call(RoomState, "delete_room")
    await owner_tab.wait_for(lambda: owner_tab.redirects == ["/rooms"])
    await mtab.wait_for(lambda: mtab.var(RoomState, "status") == "missing")
    await member_list.wait_for(lambda: own_slugs(member_list) == [])


async def test_leaving_hands_the_room_on_and_message_opens_one_conversation_per_pair(open_tab, make_user):
    owner, owner_token, room, owner_tab = await private_room(open_tab, make_user)
    member, member_token, mtab = await member_tab(open_tab, make_user, owner_tab, room)

    await mtab.call(RoomState, "message_user", username=owner.username)
    await mtab.wait_for(lambda: mtab.redirects)
    dm_path = mtab.redirects[-1]
    await owner_tab.call(RoomState, "message_user", username=member.username)
    await owner_tab.wait_for(lambda: owner_tab.redirects)
    assert owner_tab.redirects[-1] == dm_path  # created once, reused

    owner_list = await open_tab("/rooms", token=owner_token)
    dm_slug = dm_path.rsplit("/", 1)[-1]
    await owner_list.wait_for(lambda: set(own_slugs(owner_list)) == {room.slug, dm_slug})
    dm = await open_tab(dm_path, token=member_token)
    await dm.wait_for(lambda: dm.var(RoomState, "room_kind") == "dm")
    await dm.call(RoomState, "send", form={"message": "just us"})
    await owner_list.wait_for(
        lambda: any(
            r["slug"] == dm_slug and r["last_preview"] == "just us" for r in owner_list.var(RoomsState, "own_rooms")
        )
    )

    await owner_tab.call(RoomState, "leave")
    await owner_tab.wait_for(lambda: "/rooms" in owner_tab.redirects)
    await owner_list.wait_for(lambda: own_slugs(owner_list) == [dm_slug])
    await mtab.wait_for(lambda: names(mtab) == [member.username])
    assert mtab.var(RoomState, "is_owner") is True


async def test_an_outsiders_socket_gets_nothing_from_a_private_room(open_tab, make_user):
    owner, _, room, owner_tab = await private_room(open_tab, make_user)
    await owner_tab.call(RoomState, "send", form={"message": "classified"})
    _, outsider_token = make_user()
    peek = await open_tab(f"/rooms/{room.slug}", token=outsider_token)
    await peek.wait_for(lambda: peek.var(RoomState, "status") == "missing")
    for handler, payload in [
        ("invite", {"form": {"username": "anyone"}}),
        ("leave", {}),
        ("refresh", {}),
        ("load_older", {"before_id": 10**9}),
        ("save_room", {"form": {"name": "pwned", "description": ""}}),
        ("delete_room", {}),
    ]:
        await peek.call(RoomState, handler, **payload)
    await owner_tab.call(RoomState, "send", form={"message": "still classified"})
    await owner_tab.wait_for(lambda: "still classified" in owner_tab.texts())
    await asyncio.sleep(0.5)
    assert "classified" not in str(peek.frames)
    assert peek.var(RoomState, "members") in (None, [])
    assert db.call(rooms.open_room, owner.id, room.slug).name == room.name


async def test_a_message_link_opens_the_room_around_that_message(open_tab, make_user, room):
    user, token = make_user()
    posted = [
        db.call(messages.post_message, room.id, user.id, f"line {n}")
        for n in range(settings.ROOM_WINDOW + settings.ROOM_WINDOW // 2 + 20)
    ]
    target = posted[10]
    tab = await open_tab(f"/rooms/{room.slug}?message={target.id}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "history"))
    ids = [item["id"] for item in tab.var(RoomState, "history")]
    assert ids[0] == posted[0].id and target.id in ids and ids == sorted(ids)
    window = await tab.wait_for(lambda: tab.var(RoomState, "snapshot"))
    assert ids[-1] < window[0]["id"]
    # The page shows both, with a hole between them that it fills by seq.
    assert [item["id"] for item in tab.feed()] == ids + [item["id"] for item in window]

    other = db.call(rooms.create_room, unique("Elsewhere "), "", user.id)
    stranger = db.call(messages.post_message, other.id, user.id, "not in this room")
    tab2 = await open_tab(f"/rooms/{room.slug}?message={stranger.id}", token=token)
    await tab2.wait_for(lambda: tab2.var(RoomState, "status") == "ready")
    await asyncio.sleep(0.3)
    assert tab2.var(RoomState, "history") in (None, [])


async def test_a_group_conversation_opens_from_the_rooms_page_for_up_to_eight_people(open_tab, make_user):
    me, token = make_user()
    others = [make_user()[0] for _ in range(8)]
    page = await open_tab("/rooms", token=token)
    await page.wait_for(lambda: page.var(RoomsState, "lobby") is not None)
    await page.call(RoomsState, "open_direct", form={"people": ", ".join(o.username for o in others)})
    await page.wait_for(lambda: page.var(RoomsState, "error") == "A direct conversation has 2 to 8 people.")
    three = [o.username for o in others[:3]]
    await page.call(RoomsState, "open_direct", form={"people": f"{three[0]}, {three[1]} {three[2]}"})
    await page.wait_for(lambda: page.redirects)
    group = await open_tab(page.redirects[-1], token=token)
    await group.wait_for(lambda: group.var(RoomState, "room_kind") == "dm")
    assert sorted(names(group)) == sorted([me.username, *three])
