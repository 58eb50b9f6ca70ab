"""A guest over real websockets: its rooms lists hold the rooms it was added to (a public one included) and no
lobby, live; the people it may mention are those in its rooms; an owner makes a guest link from the room page."""

import asyncio

from djangochat_rx import db
from djangochat_rx.domain import members, reads, rooms, sessions, signup
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique


def own_entry(tab, slug):
    return next((item for item in tab.var(RoomsState, "own_rooms") or [] if item["slug"] == slug), None)


async def test_a_guests_lists_hold_its_rooms_live_and_no_lobby(open_tab, make_user):
    host, host_token = make_user()
    bystander, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", host.id)
    launch = db.call(rooms.create_room, unique("Launch "), "", host.id)
    _, link = db.call(signup.create_invite, host.id, 1, 1, "", (launch.id,), 0)
    guest = db.call(signup.register, unique("g"), "password123", "password123", link)
    guest_tab = await open_tab(f"/rooms/{launch.slug}", token=db.call(sessions.issue, guest.id, "test"))
    await guest_tab.wait_for(lambda: own_entry(guest_tab, launch.slug) is not None)
    assert guest_tab.var(RoomsState, "lobby") == [] and guest_tab.var(RoomsState, "lobby_total") == 0
    assert guest_tab.var(RoomState, "status") == "ready"

    host_tab = await open_tab(f"/rooms/{hall.slug}", token=host_token)
    await host_tab.wait_for(lambda: host_tab.var(RoomState, "status") == "ready")
    await host_tab.call(RoomState, "send", form={"message": "hall only news"})
    await host_tab.wait_for(lambda: host_tab.texts() == ["hall only news"])
    db.call(reads.mark_read, bystander.id, hall.id, 1)  # the bystander is in the hall, not in Launch
    await guest_tab.call(RoomState, "load_mention_names")
    await guest_tab.wait_for(lambda: guest_tab.var(RoomState, "mention_names"))
    assert guest_tab.var(RoomState, "mention_names") == ["room", "here", *sorted([host.username, guest.username])]

    launch_tab = await open_tab(f"/rooms/{launch.slug}", token=host_token)
    await launch_tab.wait_for(lambda: launch_tab.var(RoomState, "status") == "ready")
    assert launch_tab.var(RoomState, "guests") == [guest.username]  # its messages are marked "guest"
    await launch_tab.call(RoomState, "send", form={"message": "welcome aboard"})
    await guest_tab.wait_for(lambda: guest_tab.texts() == ["welcome aboard"])
    await asyncio.sleep(0.5)
    assert "hall only news" not in str(guest_tab.frames) and hall.name not in str(guest_tab.frames)


async def test_an_owner_makes_a_guest_link_for_the_room_and_a_member_cannot(open_tab, make_user):
    owner, owner_token = make_user()
    member, member_token = make_user()
    room = db.call(rooms.create_room, unique("Partners "), "", owner.id, True)
    db.call(members.invite, owner.id, room.id, member.username)
    tab = await open_tab(f"/rooms/{room.slug}", token=owner_token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    await tab.call(RoomState, "invite_guests", form={"uses": "2", "days": "3", "guest_days": "0"})
    await tab.wait_for(lambda: tab.var(RoomState, "guest_link"))
    assert "/register?invite=" in tab.var(RoomState, "guest_link") and tab.var(RoomState, "panel_error") == ""
    await tab.call(RoomState, "invite_guests", form={"uses": "x", "days": "3", "guest_days": "0"})
    await tab.wait_for(lambda: tab.var(RoomState, "panel_error") == "An invite is good for 1 to 500 accounts.")
    assert tab.var(RoomState, "guest_link") == ""

    theirs = await open_tab(f"/rooms/{room.slug}", token=member_token)
    await theirs.wait_for(lambda: theirs.var(RoomState, "status") == "ready")
    await theirs.call(RoomState, "invite_guests", form={"uses": "2", "days": "3", "guest_days": "0"})
    refused = "Only the room's owner can invite guests to it."
    await theirs.wait_for(lambda: theirs.var(RoomState, "panel_error") == refused)
    assert theirs.var(RoomState, "guest_link") == ""
