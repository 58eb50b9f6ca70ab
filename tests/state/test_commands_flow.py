"""Slash commands through the room page's real send handler and real sockets: /echo answered live by its
bot, /topic seen live by others (and refused to a non-owner), /me stored as typed, and an unknown command
refused with the text left in the box."""

import pytest

from djangochat_rx import db
from djangochat_rx.domain import rooms
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab, unique
from tests.support.hooks import fresh_module, registered_hooks


@pytest.fixture
def echo_hook():
    """The shipped /echo example, registered for this test only (no HOOKS setting needed)."""
    with registered_hooks():
        fresh_module("djangochat_rx.notify.hooks_examples.echo")
        yield


def box_cleared(tab) -> int:
    """How many times the server emptied this tab's message box."""
    return sum(
        1
        for frame in tab.frames
        for event in frame.get("events") or []
        if "set_value" in event.get("name", "") and event.get("payload", {}).get("ref") == "ref_message"
    )


async def test_echo_is_answered_by_its_bot_live_in_another_tab_and_the_invocation_is_not_posted(
    open_tab, make_user, echo_hook
):
    alice, alice_token = make_user()
    _, bob_token = make_user()
    room = db.call(rooms.create_room, unique("Echoes "), "", alice.id)
    sender = await room_tab(open_tab, alice_token, room.slug)
    reader = await room_tab(open_tab, bob_token, room.slug)

    await sender.call(RoomState, "send", form={"message": "/echo hi there", "client_id": "c1"})
    await reader.wait_for(lambda: reader.feed())
    [answer] = reader.feed()
    assert (answer["author"], answer["body"]) == ("echo-bot", "hi there")
    await sender.wait_for(lambda: sender.feed() and box_cleared(sender) == 1)
    assert sender.var(RoomState, "error") == ""


async def test_topic_is_seen_live_by_others_and_refused_to_someone_who_does_not_own_the_room(open_tab, make_user):
    owner, owner_token = make_user()
    _, member_token = make_user()
    room = db.call(rooms.create_room, unique("Topics "), "old topic", owner.id)
    owners_tab = await room_tab(open_tab, owner_token, room.slug)
    members_tab = await room_tab(open_tab, member_token, room.slug)

    await owners_tab.call(RoomState, "send", form={"message": "/topic Release day", "client_id": "t1"})
    await members_tab.wait_for(lambda: members_tab.var(RoomState, "room_description") == "Release day")
    await owners_tab.wait_for(lambda: box_cleared(owners_tab) == 1)

    await members_tab.call(RoomState, "send", form={"message": "/topic mine now", "client_id": "t2"})
    await members_tab.wait_for(lambda: members_tab.var(RoomState, "error"))
    assert members_tab.var(RoomState, "error") == "Only the room's owner can change its topic."
    assert box_cleared(members_tab) == 0
    assert db.call(rooms.room_by_slug, room.slug).description == "Release day"
    assert owners_tab.feed() == members_tab.feed() == []  # nothing was posted


async def test_me_is_stored_as_typed_and_shown_as_the_authors_name_and_text(open_tab, make_user):
    alice, alice_token = make_user()
    _, bob_token = make_user()
    room = db.call(rooms.create_room, unique("Actions "), "", alice.id)
    sender = await room_tab(open_tab, alice_token, room.slug)
    reader = await room_tab(open_tab, bob_token, room.slug)

    await sender.call(RoomState, "send", form={"message": "/me waves", "client_id": "m1"})
    await reader.wait_for(lambda: reader.feed())
    [waved] = reader.feed()
    assert waved["body"] == "/me waves"
    assert reader.texts() == [f"{alice.username} waves"] and 'class="me-message"' in waved["html"]


async def test_an_unknown_command_is_refused_and_its_text_stays_in_the_box(open_tab, make_user):
    alice, alice_token = make_user()
    room = db.call(rooms.create_room, unique("Typos "), "", alice.id)
    tab = await room_tab(open_tab, alice_token, room.slug)

    await tab.call(RoomState, "send", form={"message": "/foo bar", "client_id": "u1"})
    await tab.wait_for(lambda: tab.var(RoomState, "error"))
    assert tab.var(RoomState, "error").startswith("Unknown command /foo. Type / at the start of the box")
    assert box_cleared(tab) == 0 and tab.feed() == []
    await tab.call(RoomState, "send", form={"message": "//foo bar", "client_id": "u2"})
    await tab.wait_for(lambda: tab.feed())
    assert [m["body"] for m in tab.feed()] == ["/foo bar"] and tab.var(RoomState, "error") == ""


async def test_the_page_lists_the_commands_with_usage_and_help_the_hooks_ones_included(open_tab, make_user, echo_hook):
    alice, alice_token = make_user()
    room = db.call(rooms.create_room, unique("Menus "), "", alice.id)
    tab = await room_tab(open_tab, alice_token, room.slug)
    await tab.call(RoomState, "load_commands")
    listed = await tab.wait_for(lambda: tab.var(RoomState, "command_list"))
    assert [line.split("\t")[:2] for line in listed] == [
        ["/echo", "TEXT"],
        ["/me", "TEXT"],
        ["/poll", '[anonymous] "QUESTION" "ANSWER" "ANSWER"...'],
        ["/remind", "me in 10m TEXT"],
        ["/shrug", "[TEXT]"],
        ["/topic", "TEXT"],
    ]
