"""The account page: change password (ends every other session), sessions list, log out everywhere."""

from djangochat_rx import db
from djangochat_rx.domain import accounts, sessions
from djangochat_rx.state.account import AccountState
from tests.support.client import STORAGE_KEY


async def change(tab, current: str, new: str, confirm: str) -> None:
    form = {"current_password": current, "new_password": new, "confirm_new_password": confirm}
    await tab.call(AccountState, "change_password", form=form)


async def test_change_password_needs_the_current_one_and_ends_every_other_session(open_tab, make_user):
    user, token = make_user()
    other_token = db.call(sessions.issue, user.id, "other browser")
    tab = await open_tab("/account", token=token)
    listed = await tab.wait_for(lambda: tab.var(AccountState, "sessions"))
    assert sorted(s["current"] for s in listed) == [False, True] and len(listed) == 2

    await change(tab, "wrong password", "brand-new-pass", "brand-new-pass")
    await tab.wait_for(lambda: tab.var(AccountState, "error") == "Your current password is not correct.")
    await change(tab, "password123", "brand-new-pass", "different-pass")
    await tab.wait_for(lambda: tab.var(AccountState, "error") == "Passwords do not match.")
    assert db.call(sessions.resolve, other_token) is not None

    await change(tab, "password123", "brand-new-pass", "brand-new-pass")
    await tab.wait_for(lambda: "Password changed" in tab.var(AccountState, "notice", ""))
    assert db.call(sessions.resolve, other_token) is None
    assert db.call(sessions.resolve, token) is not None
    assert [s["current"] for s in tab.var(AccountState, "sessions")] == [True]
    assert db.call(accounts.authenticate, user.username, "brand-new-pass").id == user.id


async def test_log_out_everywhere_ends_all_sessions(open_tab, make_user):
    user, token = make_user()
    other_token = db.call(sessions.issue, user.id, "other browser")
    tab = await open_tab("/account", token=token)
    await tab.wait_for(lambda: tab.var(AccountState, "sessions"))
    await tab.call(AccountState, "log_out_everywhere")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    assert db.call(sessions.resolve, token) is None and db.call(sessions.resolve, other_token) is None
    assert tab.local_storage[STORAGE_KEY] == ""
