"""A plain click on a room's link starts loading the room while the browser draws its page
(RoomState.open_room): the room arrives once, the page's own load that follows finds it loaded on this socket,
and a click with a modifier (a new tab) or another button loads nothing here."""

from djangochat_rx import db
from djangochat_rx.domain import messages, rooms
from djangochat_rx.state.room import RoomState
from tests.state.conftest import unique
from tests.state.test_room_experience import in_room

CLICK = {"button": 0, "ctrl_key": False, "meta_key": False, "shift_key": False, "alt_key": False}


def snapshots(tab) -> int:
    """How many frames have carried a room's messages (its snapshot) to this tab."""
    name = RoomState.get_full_name()
    return sum(1 for frame in tab.frames if ((frame.get("delta") or {}).get(name) or {}).get("snapshot_rx_state_"))


def hydrated_since(tab, start: int) -> bool:
    """A page load that began after frame `start` has finished (its on_load sets is_hydrated last)."""
    return any(
        (frame.get("delta") or {}).get("reflex___state____state", {}).get("is_hydrated_rx_state_") is True
        for frame in tab.frames[start:]
    )


async def test_a_click_loads_the_room_once_before_its_page_does(open_tab, make_user, room):
    user, token = make_user()
    db.call(messages.post_message, room.id, user.id, "hello")
    tab = await open_tab("/rooms", token=token)
    # Ctrl-click, a middle click: the room opens in another tab, this one stays where it is.
    await tab.call(RoomState, "open_room", slug=room.slug, click=CLICK | {"ctrl_key": True})
    await tab.call(RoomState, "open_room", slug=room.slug, click=CLICK | {"button": 1})
    await tab.call(RoomState, "open_room", slug=room.slug, click=CLICK)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    assert tab.texts() == ["hello"]
    assert snapshots(tab) == 1

    start = len(tab.frames)
    await tab.navigate(f"/rooms/{room.slug}")
    await tab.wait_for(lambda: hydrated_since(tab, start))
    assert snapshots(tab) == 1  # the page's load found the room loaded
    _, talker = await in_room(open_tab, make_user, room)
    await talker.call(RoomState, "send", form={"message": "live"})
    await tab.wait_for(lambda: tab.texts() == ["hello", "live"])

    # Away and back without a click (the browser's Back): the page loads the room again.
    await tab.navigate("/threads")
    start = len(tab.frames)
    await tab.navigate(f"/rooms/{room.slug}")
    await tab.wait_for(lambda: hydrated_since(tab, start) and snapshots(tab) == 2)
    assert tab.var(RoomState, "status") == "ready"


async def test_a_click_on_a_room_one_may_not_read_shows_it_missing(open_tab, make_user):
    owner, _ = make_user()
    vault = db.call(rooms.create_room, unique("Vault "), "", owner.id, True)
    db.call(messages.post_message, vault.id, owner.id, "secret")
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    await tab.call(RoomState, "open_room", slug=vault.slug, click=CLICK)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "missing")
    assert tab.texts() == [] and snapshots(tab) == 0
