"""Rate limits through the real handlers: login per account and per client, registration per
client, sending per user. Each test puts a real limit in place (the suite raises them otherwise)."""

import pytest
from limits import parse

from djangochat_rx import db
from djangochat_rx.domain import messages
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AccountFormState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import unique
from tests.support.client import STORAGE_KEY


@pytest.fixture(autouse=True)
async def fresh_counts():
    await throttle._limiter().storage.reset()
    yield
    await throttle._limiter().storage.reset()


def finished(tab, before: int) -> bool:
    """Whether a form submitted after frame `before` went busy and then done."""
    pending = [
        delta["pending_rx_state_"]
        for frame in tab.frames[before:]
        if "pending_rx_state_" in (delta := frame.get("delta", {}).get(AccountFormState.get_full_name(), {}))
    ]
    return True in pending and pending[-1] is False


async def submit(tab, handler: str, form: dict) -> str:
    """Submit a form; return the error it shows ("" when it worked)."""
    before = len(tab.frames)
    await tab.call(AccountFormState, handler, form=form)
    await tab.wait_for(lambda: finished(tab, before))
    return tab.var(AccountFormState, "error")


async def login(tab, username: str, password: str) -> str:
    return await submit(tab, "login", {"username": username, "password": password})


async def test_five_failed_logins_lock_the_account_for_the_window_even_with_the_right_password(open_tab, make_user):
    user, _ = make_user()
    other, _ = make_user()
    tab = await open_tab("/login")
    for _ in range(5):
        assert await login(tab, user.username, "wrong password") == "Invalid username or password."
    assert await login(tab, user.username, "password123") == "Too many attempts, try again in 30 minutes."
    assert not tab.local_storage.get(STORAGE_KEY)
    assert await login(tab, other.username, "password123") == ""
    assert tab.local_storage.get(STORAGE_KEY)


async def test_a_locked_unknown_username_looks_exactly_like_a_locked_real_one(open_tab):
    tab = await open_tab("/login")
    ghost = unique("ghost")
    for _ in range(5):
        assert await login(tab, ghost, "whatever1") == "Invalid username or password."
    assert await login(tab, ghost, "whatever1") == "Too many attempts, try again in 30 minutes."


async def test_one_client_cannot_spray_many_usernames(open_tab, monkeypatch):
    monkeypatch.setattr(throttle, "LOGIN_PER_CLIENT", parse("3 per 10 minutes"))
    tab = await open_tab("/login")
    for _ in range(3):
        assert await login(tab, unique("spray"), "whatever1") == "Invalid username or password."
    assert (await login(tab, unique("spray"), "whatever1")).startswith("Too many attempts, try again in 10 minutes")


async def test_registration_is_throttled_per_client(open_tab, monkeypatch):
    monkeypatch.setattr(throttle, "REGISTER_PER_CLIENT", parse("2 per hour"))
    tab = await open_tab("/register")
    names = [unique("reg") for _ in range(3)]
    errors = [
        await submit(tab, "register", {"username": name, "password": "password123", "confirm_password": "password123"})
        for name in names
    ]
    assert errors == ["", "", "Too many attempts, try again in 60 minutes."]
    from djangochat_rx.domain.accounts import InvalidCredentials, authenticate

    with pytest.raises(InvalidCredentials):
        db.call(authenticate, names[2], "password123")


async def test_sending_too_fast_is_refused_and_nothing_is_saved(open_tab, make_user, room, monkeypatch):
    monkeypatch.setattr(throttle, "SEND_LIMITS", [parse("3 per 10 seconds"), parse("100 per minute")])
    _, token = make_user()
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    for i in range(4):
        await tab.call(RoomState, "send", form={"message": f"m{i}"})
    await tab.wait_for(lambda: "sending too fast" in tab.var(RoomState, "error", ""))
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == ["m0", "m1", "m2"]


async def test_edits_deletes_and_pins_in_the_page_spend_the_sending_budget_as_the_api_does(
    open_tab, make_user, room, monkeypatch
):
    monkeypatch.setattr(throttle, "SEND_LIMITS", [parse("3 per 10 seconds"), parse("100 per minute")])
    user, token = make_user()
    mine = db.call(messages.post_message, room.id, user.id, "typo")
    tab = await open_tab(f"/rooms/{room.slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
    await tab.call(RoomState, "pin", message_id=mine.id)
    await tab.call(RoomState, "unpin", message_id=mine.id)
    for text in ("fixed", "fixed again"):
        await tab.call(RoomState, "start_edit", message_id=mine.id)
        await tab.wait_for(lambda: tab.var(RoomState, "editing_id") == mine.id)
        await tab.call(RoomState, "save_edit", form={"text": text})
        await tab.wait_for(lambda: tab.var(RoomState, "editing_id") == 0)
    await tab.wait_for(lambda: "sending too fast" in tab.var(RoomState, "error", ""))
    assert [m.body for m in db.call(messages.newest_messages, room.id)] == ["fixed"]
