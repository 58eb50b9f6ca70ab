"""The sidebar's rooms lists on every signed-in page, over real websockets: a room page gets the user's lists
at once and keeps them live (another room's new message, a mute in another tab), but is never sent its own
room's changes again, which it shows as they come (a busy room costs its readers no list frames)."""

from djangochat_rx import db
from djangochat_rx.domain import rooms
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique
from tests.state.test_room_experience import in_room, lobby_entry

LOBBY = f"lobby{'_rx_state_'}"


def lobby_frames(tab) -> int:
    """How many frames have carried the lobby to this tab."""
    name = RoomsState.get_full_name()
    return sum(1 for frame in tab.frames if LOBBY in ((frame.get("delta") or {}).get(name) or {}))


async def test_a_room_page_has_the_lists_live_without_its_own_rooms_traffic(open_tab, make_user, room):
    owner, _ = make_user()
    other = db.call(rooms.create_room, unique("Other "), "", owner.id)
    _, reader = await in_room(open_tab, make_user, room)
    _, elsewhere = await in_room(open_tab, make_user, other)
    _, talker = await in_room(open_tab, make_user, room)
    # The lists came with the first page (no rooms page opened): both rooms, how far each was read.
    await reader.wait_for(lambda: lobby_entry(reader, room.slug) and lobby_entry(reader, other.slug))
    assert reader.var(RoomsState, "reads")[room.slug] == 0
    assert reader.var(RoomsState, "muted") == []
    # Joins settle: the reader's list hears of the other room's newcomer (a change elsewhere).
    await reader.wait_for(lambda: lobby_entry(reader, other.slug)["online"] == 1)

    before = lobby_frames(reader)
    await talker.call(RoomState, "send", form={"message": "busy here"})
    await reader.wait_for(lambda: reader.texts() == ["busy here"])
    # Someone elsewhere sees the room's row move ...
    await elsewhere.wait_for(lambda: lobby_entry(elsewhere, room.slug)["message_count"] == 1)
    await elsewhere.wait_for(lambda: lobby_entry(elsewhere, room.slug)["last_preview"] == "busy here")
    # ... the flush that carried it skipped the room's own readers.
    assert lobby_frames(reader) == before

    await talker.navigate(f"/rooms/{other.slug}")
    await talker.wait_for(lambda: talker.var(RoomState, "room_name") == other.name)
    await talker.call(RoomState, "send", form={"message": "over here"})
    # A message in another room reaches the reader's sidebar: one unread there.
    await reader.wait_for(lambda: (lobby_entry(reader, other.slug) or {}).get("message_count") == 1)
    assert lobby_frames(reader) > before
    assert reader.var(RoomsState, "reads").get(other.slug, 0) == 0  # so the sidebar counts it unread


async def test_muting_in_one_tab_shows_in_the_users_other_tabs(open_tab, make_user, room):
    owner, _ = make_user()
    other = db.call(rooms.create_room, unique("Quiet "), "", owner.id)
    user, token = make_user()
    _, here = await in_room(open_tab, make_user, room, (user, token))
    _, there = await in_room(open_tab, make_user, other, (user, token))
    await there.wait_for(lambda: there.var(RoomsState, "muted") == [])
    await here.call(RoomState, "toggle_mute")
    await there.wait_for(lambda: there.var(RoomsState, "muted") == [room.slug])
    await here.call(RoomState, "toggle_mute")
    await there.wait_for(lambda: there.var(RoomsState, "muted") == [])
