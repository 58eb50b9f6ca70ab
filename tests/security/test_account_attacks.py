"""Attacks on accounts with one account and raw sockets (issue 13, items 1-3): a flood of password checks,
guessing the current password with a stolen session, parallel login guesses, and locking an owner out."""

import asyncio
import threading

import pytest
from limits import parse

from djangochat_rx import db, settings
from djangochat_rx.domain import accounts, sessions
from djangochat_rx.infra import throttle
from djangochat_rx.state.account import AccountState
from djangochat_rx.state.auth import AccountFormState
from tests.support.client import DEVICE_KEY, STORAGE_KEY

WRONG = "wrong password"
BUSY = "The server is busy. Try again in a few seconds."
LOCKED = "Too many attempts, try again in 30 minutes."


@pytest.fixture(autouse=True)
async def fresh_counts():
    await throttle._limiter().storage.reset()
    yield
    await throttle._limiter().storage.reset()


def answered(tab, state: type, before: int) -> bool:
    """Whether a form submitted after frame `before` went busy and then done."""
    pending = [
        delta["pending_rx_state_"]
        for frame in tab.frames[before:]
        if "pending_rx_state_" in (delta := frame.get("delta", {}).get(state.get_full_name(), {}))
    ]
    return True in pending and pending[-1] is False


async def submit(tab, state: type, handler: str, form: dict) -> str:
    """Submit a form and wait for its answer: the error it shows ("" when it worked)."""
    before = len(tab.frames)
    await tab.call(state, handler, form=form)
    await tab.wait_for(lambda: answered(tab, state, before), timeout=20)
    return tab.var(state, "error")


async def eventually(predicate, timeout: float = 20) -> None:
    """Wait until `predicate()` holds, over several tabs' frames."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.05)


def change(current: str, new: str = "brand-new-pass") -> dict:
    return {"current_password": current, "new_password": new, "confirm_new_password": new}


async def login(tab, username: str, password: str) -> str:
    return await submit(tab, AccountFormState, "login", {"username": username, "password": password})


@pytest.fixture
def counted_checks(monkeypatch) -> list[str]:
    """Every bcrypt check the backend runs (the real one), by the password it was given."""
    checks: list[str] = []
    real = accounts.check_password

    def check(password: str, password_hash: str) -> bool:
        checks.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(accounts, "check_password", check)
    return checks


async def test_a_flood_of_password_checks_is_refused_at_once_and_others_are_served(open_tab, make_user, monkeypatch):
    """Item 1: 30 sockets of one account sending wrong current passwords queued on the threads every other
    handler needed. bcrypt has its own threads, and past HASH_QUEUE_MAX waiting jobs the answer is "busy"
    at once; meanwhile another user's page loads and reads the database."""
    monkeypatch.setattr(throttle, "PASSWORD_CHECKS", parse("1000 per minute"))  # the queue bound alone
    monkeypatch.setattr(settings, "HASH_QUEUE_MAX", 2)
    release = threading.Event()
    real = accounts.check_password

    def slow_check(password: str, password_hash: str) -> bool:
        release.wait(20)
        return real(password, password_hash)

    monkeypatch.setattr(accounts, "check_password", slow_check)
    user, token = make_user()
    tabs = [await open_tab("/account", token=token) for _ in range(30)]
    before = [len(tab.frames) for tab in tabs]
    for tab in tabs:
        await tab.call(AccountState, "change_password", form=change(WRONG))
    admitted = settings.HASH_THREADS + settings.HASH_QUEUE_MAX
    await eventually(lambda: sum(tab.var(AccountState, "error") == BUSY for tab in tabs) == 30 - admitted)

    _, bystander_token = make_user()
    other = await open_tab("/account", token=bystander_token)
    listed = await other.wait_for(lambda: other.var(AccountState, "sessions"), timeout=5)
    assert len(listed) == 1  # served (and read the database) while every bcrypt thread was stuck

    release.set()
    await eventually(lambda: all(answered(tab, AccountState, start) for tab, start in zip(tabs, before, strict=True)))
    answers = [tab.var(AccountState, "error") for tab in tabs]
    assert answers.count("Your current password is not correct.") == admitted
    assert answers.count(BUSY) == 30 - admitted
    assert db.call(accounts.authenticate, user.username, "password123").id == user.id


async def test_a_stolen_session_cannot_guess_the_current_password(open_tab, make_user, counted_checks):
    """Item 2: 40 wrong current passwords were all checked and the 41st changed the password. Now 5 wrong
    ones in 30 minutes, then even the right one is refused; nothing changes, no session ends."""
    user, token = make_user()
    owners_other_session = db.call(sessions.issue, user.id, "the owner's laptop")
    tab = await open_tab("/account", token=token)
    await tab.wait_for(lambda: tab.var(AccountState, "sessions"))
    for _ in range(5):
        assert await submit(tab, AccountState, "change_password", change(WRONG)) == (
            "Your current password is not correct."
        )
    assert await submit(tab, AccountState, "change_password", change("password123")) == LOCKED
    assert await submit(tab, AccountState, "change_password", change(WRONG)) == LOCKED
    assert len(counted_checks) == 5
    assert db.call(accounts.authenticate, user.username, "password123").id == user.id
    assert db.call(sessions.resolve, owners_other_session) is not None


async def test_parallel_wrong_logins_are_counted_before_any_is_checked(open_tab, make_user, counted_checks):
    """Item 3: 20 parallel wrong logins for one account were all checked (the budget was tested before
    bcrypt and charged after). Now each is charged first: 5 are checked, 15 refused."""
    user, _ = make_user()
    tabs = [await open_tab("/login") for _ in range(20)]
    answers = await asyncio.gather(*(login(tab, user.username, WRONG) for tab in tabs))
    assert sorted(answers) == sorted(["Invalid username or password."] * 5 + [LOCKED] * 15)
    assert len(counted_checks) == 5


async def test_a_locked_account_still_lets_in_the_browser_its_owner_logged_in_from(open_tab, make_user):
    """Item 3: five wrong guesses by anyone locked the account for 30 minutes, its owner included. The
    lock stays for every other client, but a browser that logged in to the account before (its device
    token) has a budget of its own."""
    user, _ = make_user()
    other, _ = make_user()
    owners_browser = await open_tab("/login")
    assert await login(owners_browser, user.username, "password123") == ""
    device = owners_browser.local_storage[DEVICE_KEY]
    assert device and owners_browser.local_storage[STORAGE_KEY]

    others_browser = await open_tab("/login")
    assert await login(others_browser, other.username, "password123") == ""
    attacker = await open_tab("/login")
    for _ in range(5):
        assert await login(attacker, user.username, WRONG) == "Invalid username or password."
    assert await login(attacker, user.username, "password123") == LOCKED
    # Another account's device token is no key to this account's budget.
    borrowed = await open_tab("/login")
    borrowed.local_storage[DEVICE_KEY] = others_browser.local_storage[DEVICE_KEY]
    await borrowed.navigate("/login")
    assert await login(borrowed, user.username, "password123") == LOCKED

    returning = await open_tab("/login")
    returning.local_storage[DEVICE_KEY] = device
    await returning.navigate("/login")
    assert await login(returning, user.username, "password123") == ""
    assert returning.local_storage[DEVICE_KEY] == device  # the same device, remembered
