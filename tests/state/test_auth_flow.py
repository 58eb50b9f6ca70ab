"""Register, login, guards and logout through the real event handlers over a websocket."""

from djangochat_rx import db
from djangochat_rx.domain import sessions
from djangochat_rx.state.auth import AccountFormState, AuthState
from tests.state.conftest import unique
from tests.support.client import STORAGE_KEY


async def test_register_logs_in_and_lands_on_rooms(open_tab):
    tab = await open_tab("/register")
    name = unique("new")
    await tab.call(
        AccountFormState,
        "register",
        form={"username": name, "password": "password123", "confirm_password": "password123"},
    )
    await tab.wait_for(lambda: "/rooms" in tab.redirects)
    token = tab.local_storage[STORAGE_KEY]
    assert db.call(sessions.resolve, token).username == name
    assert tab.var(AuthState, "username") == name


async def test_register_errors_are_shown_on_the_page(open_tab, make_user):
    taken, _ = make_user()
    tab = await open_tab("/register")
    cases = [
        ({"username": taken.username.upper(), "password": "password123", "confirm_password": "password123"}, "taken"),
        ({"username": unique("x"), "password": "password123", "confirm_password": "password124"}, "do not match"),
        ({"username": unique("x"), "password": "short", "confirm_password": "short"}, "at least 8"),
        ({"username": unique("x"), "password": "é" * 40, "confirm_password": "é" * 40}, "72 bytes"),
        ({"username": "a b", "password": "password123", "confirm_password": "password123"}, "3–32"),
    ]
    for form, expected in cases:
        await tab.call(AccountFormState, "register", form=form)
        await tab.wait_for(lambda expected=expected: expected in tab.var(AccountFormState, "error", ""))
    assert tab.redirects == [] and not tab.local_storage.get(STORAGE_KEY)


async def test_login_rotates_the_token_and_wrong_password_is_generic(open_tab, make_user):
    user, old_token = make_user()
    tab = await open_tab("/login", token=old_token)
    await tab.wait_for(lambda: "/rooms" in tab.redirects)  # already logged in: skip the login page
    for form in ({"username": user.username, "password": "wrong-password"}, {"username": "nobody", "password": "x"}):
        await tab.call(AccountFormState, "login", form=form)
        await tab.wait_for(lambda: tab.var(AccountFormState, "error") == "Invalid username or password.")
        await tab.call(AccountFormState, "login", form={"username": "", "password": ""})
    await tab.call(AccountFormState, "login", form={"username": user.username, "password": "password123"})
    await tab.wait_for(lambda: tab.local_storage.get(STORAGE_KEY) not in (None, old_token))
    assert db.call(sessions.resolve, old_token) is None
    assert db.call(sessions.resolve, tab.local_storage[STORAGE_KEY]).user_id == user.id


async def test_index_routes_by_login_state(open_tab, make_user):
    anonymous = await open_tab("/")
    await anonymous.wait_for(lambda: anonymous.redirects == ["/login"])
    _, token = make_user()
    member = await open_tab("/", token=token)
    await member.wait_for(lambda: member.redirects == ["/rooms"])


async def test_pages_that_need_login_send_strangers_and_forged_tokens_to_login(open_tab):
    for path, token in [("/rooms", None), ("/profile", None), ("/rooms/anything", "forged"), ("/rooms", "x" * 43)]:
        tab = await open_tab(path, token=token)
        await tab.wait_for(lambda tab=tab: tab.redirects == ["/login"])


async def test_logout_deletes_the_server_session(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    await tab.wait_for(lambda: tab.var(AuthState, "username"))  # the page load resolved the session
    await tab.call(AuthState, "logout")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    assert db.call(sessions.resolve, token) is None
    assert tab.local_storage[STORAGE_KEY] == ""
    again = await open_tab("/rooms", token=token)
    await again.wait_for(lambda: again.redirects == ["/login"])
