"""Reactions over real websockets: a reaction reaches every tab on the room live, as that one message with
its reactions (never the window), a page opened later reads it, taking it back reaches everyone too;
an outsider's socket reacts to nothing of a private room and hears nothing of its reactions."""

import asyncio

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.state.room import RoomState
from tests.state.conftest import beside_a_private_room, room_tab


def reactions_on(tab, message_id: int) -> list[tuple[str, int, list[str]]]:
    [message] = [m for m in tab.feed() if m["id"] == message_id]
    return [(r["emoji"], r["count"], list(r["users"])) for r in message.get("reactions", [])]


async def test_a_reaction_reaches_every_tab_on_the_room_live_as_one_message(open_tab, make_user, room):
    author, author_token = make_user()
    fan, fan_token = make_user()
    for i in range(5):
        db.call(messages.post_message, room.id, author.id, f"older {i}")
    hello = db.call(messages.post_message, room.id, author.id, "hello")
    writer = await room_tab(open_tab, author_token, room.slug)
    reader = await room_tab(open_tab, fan_token, room.slug)
    frames_before = len(writer.frames)

    await reader.call(RoomState, "react", message_id=hello.id, emoji="🎉")
    await writer.wait_for(lambda: reactions_on(writer, hello.id) == [("🎉", 1, [fan.username])])
    await reader.wait_for(lambda: reactions_on(reader, hello.id) == [("🎉", 1, [fan.username])])
    delivered = [
        delta
        for frame in writer.frames[frames_before:]
        for delta in (frame.get("delta") or {}).values()
        if "incoming_rx_state_" in delta
    ]
    assert [[m["id"] for m in delta["incoming_rx_state_"]] for delta in delivered] == [[hello.id]]

    late = await room_tab(open_tab, author_token, room.slug)
    assert reactions_on(late, hello.id) == [("🎉", 1, [fan.username])]
    await writer.call(RoomState, "react", message_id=hello.id, emoji="🎉")
    await reader.wait_for(lambda: reactions_on(reader, hello.id) == [("🎉", 2, [fan.username, author.username])])
    await reader.call(RoomState, "react", message_id=hello.id, emoji="🎉")
    await writer.wait_for(lambda: reactions_on(writer, hello.id) == [("🎉", 1, [author.username])])

    await reader.call(RoomState, "react", message_id=hello.id, emoji="not an emoji")
    await reader.wait_for(lambda: reader.var(RoomState, "error") == "React with one emoji.")


async def test_an_outsider_reacts_to_nothing_of_a_private_room_and_hears_none_of_it(open_tab, make_user):
    owner, _den, secret, outsider, insider = await beside_a_private_room(open_tab, make_user)

    await outsider.call(RoomState, "react", message_id=secret.id, emoji="👍")
    await outsider.wait_for(lambda: outsider.var(RoomState, "error") == "Message not found.")
    assert db.call(messages.message_view, secret.id).reactions == ()
    frames = len(outsider.frames)
    await insider.call(RoomState, "react", message_id=secret.id, emoji="👀")
    await insider.wait_for(lambda: reactions_on(insider, secret.id) == [("👀", 1, [owner.username])])
    await asyncio.sleep(0.3)
    assert "secret plan" not in repr(outsider.frames[frames:]) and "👀" not in repr(outsider.frames[frames:])
