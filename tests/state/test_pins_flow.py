"""Pins over real websockets: a member pins from their tab and every tab on the room sees the Pinned list
change live; an outsider's socket can pin nothing of a private room and hears nothing of its pins."""

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.state.room import RoomState
from tests.state.conftest import beside_a_private_room, room_tab


def pinned(tab) -> list[str]:
    return [pin["message"]["body"] for pin in tab.var(RoomState, "pins") or []]


async def test_a_pin_reaches_every_tab_on_the_room_live_and_an_unpin_too(open_tab, make_user, room):
    author, author_token = make_user()
    reader_user, reader_token = make_user()
    first = db.call(messages.post_message, room.id, author.id, "first")
    db.call(messages.post_message, room.id, author.id, "second")
    pinner = await room_tab(open_tab, author_token, room.slug)
    reader = await room_tab(open_tab, reader_token, room.slug)
    assert pinned(reader) == []

    await reader.call(RoomState, "pin", message_id=first.id)
    await pinner.wait_for(lambda: pinned(pinner) == ["first"])
    await reader.wait_for(lambda: pinned(reader) == ["first"])
    assert reader.var(RoomState, "pins")[0]["pinned_by"] == reader_user.username

    late = await room_tab(open_tab, reader_token, room.slug)  # a page opened later reads them
    assert pinned(late) == ["first"]
    await pinner.call(RoomState, "unpin", message_id=first.id)
    await reader.wait_for(lambda: pinned(reader) == [])


async def test_an_outsider_pins_nothing_of_a_private_room_and_hears_none_of_its_pins(open_tab, make_user):
    _owner, _den, secret, outsider, insider = await beside_a_private_room(open_tab, make_user)

    await outsider.call(RoomState, "pin", message_id=secret.id)
    await outsider.wait_for(lambda: outsider.var(RoomState, "error"))
    assert outsider.var(RoomState, "error") == "Message not found."
    await insider.call(RoomState, "pin", message_id=secret.id)
    await insider.wait_for(lambda: pinned(insider) == ["secret plan"])
    assert all("secret plan" not in str(frame) for frame in outsider.frames)
