"""Forwarding several messages over real websockets: the room page's selection mode (a checkbox per message, the
selection a tuple of ids on the tab's state, at most FORWARD_MAX_MESSAGES), the forward form listing the chosen
ones in their room's order, and one forward posting a copy of each, in that order, after the comment, in the
target room; a message of a room the person cannot read is refused with the stranger's answer."""

from djangochat_rx import db, settings
from djangochat_rx.domain import messages, rooms
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique


def bodies(tab) -> list[str]:
    return [message["body"] for message in tab.feed()]


async def test_three_ticked_messages_go_in_their_rooms_order_after_the_comment(open_tab, make_user, room):
    author, _ = make_user()
    _, token = make_user()
    sent = [db.call(messages.post_message, room.id, author.id, text) for text in ("one", "two\nmore", "three")]
    target = db.call(rooms.create_room, unique("Target "), "", author.id)
    reader = await room_tab(open_tab, token, target.slug)
    tab = await room_tab(open_tab, token, room.slug)

    await tab.call(RoomState, "select_messages", message_id=sent[2].id)  # "Select messages" on the third's tools
    await tab.call(RoomState, "toggle_selected", message_id=sent[0].id)
    await tab.call(RoomState, "toggle_selected", message_id=sent[1].id)
    await tab.wait_for(lambda: tab.var(RoomState, "selected_ids") == [sent[2].id, sent[0].id, sent[1].id])
    assert tab.var(RoomState, "selecting") is True
    await tab.call(RoomState, "forward_selected")
    await tab.wait_for(lambda: tab.var(RoomState, "forward_open") is True and tab.var(RoomState, "forward_chosen"))
    listed = [(chosen["author"], chosen["line"]) for chosen in tab.var(RoomState, "forward_chosen")]
    assert listed == [(author.username, "one"), (author.username, "two"), (author.username, "three")]
    assert target.id in [option["id"] for option in tab.var(RoomState, "forward_targets")]

    await tab.call(RoomState, "forward", form={"room": str(target.id), "comment": "for you"})
    await tab.wait_for(lambda: tab.var(RoomState, "selecting") is False)
    assert tab.var(RoomState, "selected_ids") == [] and tab.var(RoomState, "forward_open") is False
    assert tab.var(RoomState, "forward_error") == ""
    await reader.wait_for(lambda: len(bodies(reader)) == 4)
    assert bodies(reader) == ["for you", "one", "two\nmore", "three"]
    copies = reader.feed()[1:]
    assert [copy["forward_id"] for copy in copies] == [message.id for message in sent]
    assert [message.body for message in db.call(messages.newest_messages, target.id)] == bodies(reader)


async def test_a_message_one_cannot_read_is_refused_as_no_message_and_nothing_is_posted(open_tab, make_user, room):
    owner, _ = make_user()
    den = db.call(rooms.create_room, unique("Den "), "", owner.id, True)
    secret = db.call(messages.post_message, den.id, owner.id, "secret plan")
    hello = db.call(messages.post_message, room.id, owner.id, "hello")
    target = db.call(rooms.create_room, unique("Target "), "", owner.id)
    _, token = make_user()
    tab = await room_tab(open_tab, token, room.slug)

    await tab.call(RoomState, "select_messages", message_id=hello.id)
    await tab.call(RoomState, "toggle_selected", message_id=secret.id)  # nothing read: any id may be ticked
    await tab.wait_for(lambda: tab.var(RoomState, "selected_ids") == [hello.id, secret.id])
    await tab.call(RoomState, "forward_selected")
    await tab.wait_for(lambda: tab.var(RoomState, "forward_error") == "Message not found.")
    assert tab.var(RoomState, "forward_chosen") == []
    await tab.call(RoomState, "add_messages")  # back to the room (the error goes), then Forward from its bar again
    await tab.wait_for(lambda: tab.var(RoomState, "forward_error") == "")
    await tab.call(RoomState, "forward", form={"room": str(target.id), "comment": "look"})
    await tab.wait_for(lambda: tab.var(RoomState, "forward_error") == "Message not found.")
    assert db.call(messages.newest_messages, target.id) == []  # not even the comment: one transaction
    assert all("secret plan" not in str(frame) for frame in tab.frames)
    assert tab.var(RoomState, "selected_ids") == [hello.id, secret.id]  # nothing lost: untick it and go on


async def test_the_selection_is_capped_cancelled_by_escape_and_left_behind_with_the_room(
    open_tab, make_user, room, monkeypatch
):
    author, _ = make_user()
    _, token = make_user()
    sent = [db.call(messages.post_message, room.id, author.id, f"m{n}") for n in range(3)]
    other = db.call(rooms.create_room, unique("Other "), "", author.id)
    monkeypatch.setattr(settings, "FORWARD_MAX_MESSAGES", 2)
    tab = await room_tab(open_tab, token, room.slug)

    await tab.call(RoomState, "select_messages", message_id=0)  # the forward form's "Add messages" way in
    for message in sent:
        await tab.call(RoomState, "toggle_selected", message_id=message.id)
    await tab.wait_for(lambda: tab.var(RoomState, "forward_error") == "You can forward at most 2 messages at once.")
    assert tab.var(RoomState, "selected_ids") == [sent[0].id, sent[1].id]
    await tab.call(RoomState, "toggle_selected", message_id=sent[0].id)  # unticking makes room
    await tab.wait_for(lambda: tab.var(RoomState, "selected_ids") == [sent[1].id])
    assert tab.var(RoomState, "forward_error") == ""
    await tab.call(RoomState, "stop_selecting")  # Cancel, or Escape (components/forward.py selection_bar)
    await tab.wait_for(lambda: tab.var(RoomState, "selecting") is False)
    assert tab.var(RoomState, "selected_ids") == []

    await tab.call(RoomState, "start_forward", message_id=sent[0].id)  # the forward tool: that one message
    await tab.wait_for(lambda: tab.var(RoomState, "forward_open") is True and tab.var(RoomState, "forward_chosen"))
    await tab.call(RoomState, "add_messages")  # "Add messages": back to the room, choosing
    await tab.wait_for(lambda: tab.var(RoomState, "selecting") is True)
    assert tab.var(RoomState, "forward_open") is False and tab.var(RoomState, "selected_ids") == [sent[0].id]
    await tab.call(RoomState, "open_room", slug=other.slug, click={"button": 0})
    await tab.wait_for(lambda: tab.var(RoomState, "room_name") == other.name)
    assert tab.var(RoomState, "selecting") is False and tab.var(RoomState, "selected_ids") == []
