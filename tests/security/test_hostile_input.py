"""Hostile input through raw websocket clients: XSS payloads, oversized fields, SQL-looking text,
Unicode tricks, malformed and out-of-order events, events before login, a flood of connections.
After each: a clear message or nothing, the database unchanged unless the input was valid, and the
server still serving another user."""

import asyncio

import pytest
import socketio
from sqlalchemy import text

from djangochat_rx import db
from djangochat_rx.domain import messages, rooms
from djangochat_rx.state.auth import AccountFormState, AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState
from tests.state.conftest import unique
from tests.state.test_throttling import submit
from tests.support.client import NAMESPACE, connect_socket

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
]
SQLISH = ["'; DROP TABLE users; --", "1 OR 1=1", '" OR ""="', "Robert'); DELETE FROM messages;--"]
UNICODE = ["\u202eevil\u202c", "e\u0301\u0301\u0301", "👩🏽‍💻 emoji", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀😀😀", "שלום עולם", "a\u200bb"]


def counts() -> dict[str, int]:
    with db.session() as session:
        return {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("users", "sessions", "rooms", "messages")
        }


@pytest.fixture
async def bystander(open_tab, make_user, room):
    """Another user in a room: after every attack they must still be able to chat."""
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")

    async def still_served() -> None:
        body = unique("still served ")
        await tab.call(RoomState, "send", form={"message": body})
        await tab.wait_for(lambda: body in tab.texts())

    return still_served


async def test_xss_and_sql_in_messages_are_stored_verbatim_as_text_without_hidden_characters(
    open_tab, make_user, room, bystander
):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    payloads = XSS + SQLISH + UNICODE
    for payload in payloads:
        await tab.call(RoomState, "send", form={"message": payload})
    await tab.wait_for(lambda: len(tab.feed()) == len(payloads))
    stored = [m.body for m in db.call(messages.newest_messages, room.id)]
    assert stored == [*XSS, *SQLISH, "evil", *UNICODE[1:5], "ab"]  # bidi overrides and zero-width spaces go
    assert counts()["users"] > 0  # the tables are all still there
    await bystander()


async def test_xss_sql_and_unicode_in_room_names_and_descriptions(open_tab, make_user, bystander):
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    for payload in XSS + SQLISH:
        name = f"{payload} {unique('')}"
        await tab.call(RoomsState, "create_room", form={"name": name, "description": payload})
        slug = await tab.wait_for(lambda: tab.redirects and tab.redirects[-1].rsplit("/", 1)[-1])
        room = db.call(rooms.room_by_slug, slug)
        assert (room.name, room.description) == (name, payload)
        assert all(ch.isalnum() or ch == "-" for ch in slug)
        tab.redirects.clear()
    await bystander()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "<script>alert(1)</script>", "3–32 characters"),
        ("username", "'; DROP TABLE users; --", "3–32 characters"),
        ("username", "x" * 10_000, "3–32 characters"),
        ("username", "adm\u202enim", "invisible or text-direction"),
        ("username", "zero\u200bwidth", "invisible or text-direction"),
        ("username", "zaq\u0301\u0302\u0303\u0304go", "more than two accents"),
        ("password", "p" * 10_000, "72 bytes"),
        ("password", "😀" * 18 + "a", "72 bytes"),
    ],
)
async def test_hostile_registrations_are_refused_with_a_message_and_change_nothing(
    open_tab, field, value, message, bystander
):
    before = counts()
    tab = await open_tab("/register")
    form = {"username": unique("ok"), "password": "password123", "confirm_password": "password123"}
    form[field] = value
    if field == "password":
        form["confirm_password"] = value
    assert message in await submit(tab, "register", form)
    assert counts() == before
    await bystander()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "n" * 10_000, "description": ""}, "1–64 characters"),
        ({"name": "ok name", "description": "d" * 20_000}, "at most 500"),
        ({"name": "nul\x00name", "description": ""}, "control, invisible or text-direction characters"),
        ({"name": "evil\u202eeman", "description": ""}, "control, invisible or text-direction characters"),
        ({"name": "look\u200balike", "description": ""}, "control, invisible or text-direction characters"),
        ({"name": "ok name", "description": "reads \u2066backwards"}, "control, invisible or text-direction"),
        ({"name": "   ", "description": ""}, "1–64 characters"),
    ],
)
async def test_oversized_and_control_room_fields_are_refused(open_tab, make_user, form, message, bystander):
    _, token = make_user()
    before = counts()["rooms"]
    tab = await open_tab("/rooms", token=token)
    await tab.call(RoomsState, "create_room", form=form)
    await tab.wait_for(lambda: message in tab.var(RoomsState, "error", ""))
    assert counts()["rooms"] == before
    await bystander()


async def test_oversized_and_empty_messages_are_refused_and_hidden_characters_are_stripped(
    open_tab, make_user, room, bystander
):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    before = counts()["messages"]
    for body, error in (("y" * 4001, "limit is 4000"), ("\x00\x01\x02", "Type a message first")):
        await tab.call(RoomState, "send", form={"message": body})
        await tab.wait_for(lambda error=error: error in tab.var(RoomState, "error", ""))
    assert counts()["messages"] == before
    await tab.call(RoomState, "send", form={"message": "a\x00b\x07c\td\ne\u202ef\u200bg 👨\u200d👩"})
    await tab.wait_for(lambda: any(text.startswith("abc") for text in tab.texts()))
    # Controls, bidi overrides and zero-width spaces go; the joiner inside an emoji sequence stays.
    assert db.call(messages.newest_messages, room.id)[-1].body == "abc\td\nefg 👨\u200d👩"
    await bystander()


@pytest.mark.parametrize(
    "event",
    [
        {"name": "no.such.handler", "payload": {}},
        {"name": f"{RoomState.get_full_name()}.send", "payload": "not a dict"},
        {"name": f"{RoomState.get_full_name()}.send", "payload": {"form": "not a dict"}},
        {"name": f"{RoomState.get_full_name()}.send", "payload": {"form": {"message": ["a", "list"]}}},
        {"name": f"{RoomState.get_full_name()}.send", "payload": {"wrong_arg": 1}},
        {"name": f"{RoomState.get_full_name()}._identity", "payload": {}},
        {"name": f"{AuthState.get_full_name()}._start_session", "payload": {"user": {"id": 1, "username": "x"}}},
        {"name": f"{RoomsState.get_full_name()}.create_room", "payload": {"form": {"name": 5, "description": None}}},
        {"payload": {}},
        "just a string",
        ["a", "list"],
    ],
)
async def test_malformed_events_change_nothing_and_the_server_keeps_serving(
    open_tab, make_user, room, event, bystander
):
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    before = counts()
    if isinstance(event, dict):
        event = {**event, "router_data": {"pathname": tab.path, "asPath": tab.path, "query": {"slug": room.slug}}}
    await tab.sio.emit("event", event, namespace=NAMESPACE)
    await asyncio.sleep(0.2)
    assert counts() == before
    await bystander()


async def test_events_before_login_and_before_hydration_do_nothing(backend_url, room, bystander):
    before = counts()
    client = socketio.AsyncClient(reconnection=False)
    await connect_socket(client, backend_url, unique("t"))
    router = {"pathname": f"/rooms/{room.slug}", "asPath": f"/rooms/{room.slug}", "query": {"slug": room.slug}}
    for name, payload in (
        (f"{RoomState.get_full_name()}.send", {"form": {"message": "no hydrate, no login"}}),
        (f"{RoomsState.get_full_name()}.create_room", {"form": {"name": unique("sneaky"), "description": ""}}),
        (f"{AuthState.get_full_name()}.logout", {}),
        (f"{RoomState.get_full_name()}.load", {}),
        (f"{RoomState.get_full_name()}.send", {"form": {"message": "after load, no login"}}),
    ):
        await client.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace=NAMESPACE)
    await asyncio.sleep(0.3)
    await client.disconnect()
    assert counts() == before
    await bystander()


async def test_a_flood_of_connections_does_not_stop_the_server(backend_url, bystander):
    async def connect_and_drop() -> None:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await connect_socket(client, backend_url, unique("flood"))
            await client.emit("event", {"name": "garbage"}, namespace=NAMESPACE)
        finally:
            await client.disconnect()

    for _ in range(4):
        await asyncio.gather(*(connect_and_drop() for _ in range(50)), return_exceptions=True)
    await bystander()


async def test_login_form_with_non_text_fields_fails_cleanly(open_tab, bystander):
    tab = await open_tab("/login")
    before = len(tab.frames)
    await tab.call(AccountFormState, "login", form={"username": {"$ne": None}, "password": ["x"]})
    await tab.wait_for(lambda: len(tab.frames) > before and tab.var(AccountFormState, "error"))
    assert tab.var(AccountFormState, "error") == "Invalid username or password."
    await bystander()


async def test_made_up_ids_in_a_send_cannot_redirect_it_to_another_room_or_user(open_tab, make_user, room):
    alice, token = make_user()
    victim, _ = make_user()
    other = db.call(rooms.create_room, unique("Other "), "", victim.id)
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    forged = {"message": "where does this go", "room_id": other.id, "author_id": victim.id, "user_id": victim.id}
    await tab.call(RoomState, "send", form=forged)
    await tab.wait_for(lambda: tab.texts() == ["where does this go"])
    assert db.call(messages.newest_messages, other.id) == []
    assert [(m.author, m.room_id) for m in db.call(messages.newest_messages, room.id)] == [(alice.username, room.id)]
