"""Two-factor sign-in through the real handlers over websockets: the code step after the password, recovery
codes, guessing, a code step nobody earned, enrolling (and being held to enrol when it is required), turning
it off."""

import pyotp
import pytest
from limits import parse

from djangochat_rx import db, settings
from djangochat_rx.domain import admin, second_factor, sessions
from djangochat_rx.infra import throttle
from djangochat_rx.models import SiteSetting
from djangochat_rx.state.auth import AccountFormState, AuthState, SecondStepState
from djangochat_rx.state.rooms import RoomsState
from djangochat_rx.state.second_factor import TwoFactorState
from tests.support.client import STORAGE_KEY


@pytest.fixture(autouse=True)
async def fresh_counts():
    await throttle._limiter().storage.reset()
    yield
    await throttle._limiter().storage.reset()


@pytest.fixture
def nobody_required():
    """Whatever a test required, the next one starts with second factors optional."""
    yield
    with db.session() as database:
        row = database.get(SiteSetting, second_factor.REQUIREMENT_KEY)
        if row is not None:
            database.delete(row)
            database.commit()


def enrolled(make_user):
    """A user with an authenticator app: (user, secret, recovery codes)."""
    user, _ = make_user()
    secret = db.call(second_factor.start_enrolment, user.id).secret
    codes = db.call(second_factor.confirm_enrolment, user.id, pyotp.TOTP(secret).now())
    return user, secret, codes


def next_code(secret: str) -> str:
    """The app's code for the next step (the confirmation used this one's; one step ahead is accepted)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(second_factor.utcnow()) + 1)


def answered(tab, before: int) -> bool:
    """Whether the code step submitted after frame `before` was refused (busy, then done with an error) or
    went elsewhere."""
    name = SecondStepState.get_full_name()
    pending = [
        frame["delta"][name]["pending_rx_state_"]
        for frame in tab.frames[before:]
        if "pending_rx_state_" in frame.get("delta", {}).get(name, {})
    ]
    refused = True in pending and pending[-1] is False and tab.var(SecondStepState, "error")
    return refused or any(
        event.get("name") == "_redirect" for frame in tab.frames[before:] for event in frame.get("events") or []
    )


async def verified(tab, code: str) -> str:
    """Submit the code step; the error it shows ("" once it signed in)."""
    before, redirects = len(tab.frames), len(tab.redirects)
    await tab.call(SecondStepState, "verify", form={"code": code})
    await tab.wait_for(lambda: answered(tab, before))
    return "" if len(tab.redirects) > redirects else tab.var(SecondStepState, "error")


async def to_code_step(open_tab, username: str):
    tab = await open_tab("/login")
    await tab.call(AccountFormState, "login", form={"username": username, "password": "password123"})
    await tab.wait_for(lambda: "/login/code" in tab.redirects)
    await tab.navigate("/login/code")
    return tab


async def test_the_password_alone_does_not_sign_in_a_user_with_a_second_factor(open_tab, make_user):
    user, secret, _ = enrolled(make_user)
    tab = await to_code_step(open_tab, user.username)
    assert not tab.local_storage.get(STORAGE_KEY)
    wrong = next(code for code in ("000000", "111111") if code != next_code(secret))
    assert (await verified(tab, wrong)).startswith("That code is not right.")
    assert not tab.local_storage.get(STORAGE_KEY)
    assert await verified(tab, next_code(secret)) == ""
    assert tab.redirects[-1] == "/rooms"
    identity = db.call(sessions.resolve, tab.local_storage[STORAGE_KEY])
    assert identity.user_id == user.id
    opened = {view.id: (view.sign_in, view.second_factor) for view in db.call(sessions.active_sessions, user.id)}
    assert opened[identity.session_id] == ("password", "authenticator app")


async def test_a_recovery_code_signs_in_once(open_tab, make_user):
    user, _, codes = enrolled(make_user)
    tab = await to_code_step(open_tab, user.username)
    assert await verified(tab, codes[3]) == ""
    assert "You signed in with a recovery code" in tab.var(AuthState, "flash")
    assert "(9 codes left)" in tab.var(AuthState, "flash")
    again = await to_code_step(open_tab, user.username)
    assert (await verified(again, codes[3])).startswith("That code is not right.")
    assert not again.local_storage.get(STORAGE_KEY)


async def test_nobody_reaches_the_code_step_without_the_password(open_tab, make_user):
    user, secret, _ = enrolled(make_user)
    tab = await open_tab("/login/code")
    await tab.wait_for(lambda: tab.redirects == ["/login"])
    await tab.call(SecondStepState, "verify", form={"code": next_code(secret)})
    await tab.wait_for(lambda: tab.redirects == ["/login", "/login"])
    assert not tab.local_storage.get(STORAGE_KEY)
    # A wrong password leaves no code step behind either.
    await tab.call(AccountFormState, "login", form={"username": user.username, "password": "wrong password"})
    await tab.wait_for(lambda: tab.var(AccountFormState, "error"))
    await tab.call(SecondStepState, "verify", form={"code": next_code(secret)})
    await tab.wait_for(lambda: len(tab.redirects) == 3)
    assert tab.redirects[-1] == "/login" and not tab.local_storage.get(STORAGE_KEY)


async def test_a_code_step_waits_only_so_long(open_tab, make_user, monkeypatch):
    user, secret, _ = enrolled(make_user)
    monkeypatch.setattr(settings, "SECOND_STEP_SECONDS", 0)
    tab = await to_code_step(open_tab, user.username)
    await tab.call(SecondStepState, "verify", form={"code": next_code(secret)})
    await tab.wait_for(lambda: tab.redirects[-1:] == ["/login"] and len(tab.redirects) >= 2)
    assert not tab.local_storage.get(STORAGE_KEY)


async def test_guessing_codes_is_throttled_per_account_whichever_tab_guesses(open_tab, make_user, monkeypatch):
    monkeypatch.setattr(throttle, "SECOND_FACTOR_CODES", parse("5 per 30 minutes"))
    user, secret, codes = enrolled(make_user)
    first = await to_code_step(open_tab, user.username)
    guesses = [
        code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code != next_code(secret)
    ]
    for guess in guesses[:3]:
        assert (await verified(first, guess)).startswith("That code is not right.")
    second = await to_code_step(open_tab, user.username)
    for guess in guesses[3:5]:
        assert (await verified(second, guess)).startswith("That code is not right.")
    for tab, code in ((second, next_code(secret)), (first, codes[0])):
        assert await verified(tab, code) == "Too many attempts, try again in 30 minutes."
    assert not first.local_storage.get(STORAGE_KEY) and not second.local_storage.get(STORAGE_KEY)
    other, other_secret, _ = enrolled(make_user)  # another account's budget is its own
    third = await to_code_step(open_tab, other.username)
    assert await verified(third, next_code(other_secret)) == ""


async def enrol_through_the_page(tab) -> list[str]:
    """Press "Set up", read the secret from the page as a person's app would, type its code: the codes shown."""
    await tab.call(TwoFactorState, "start")
    secret = await tab.wait_for(lambda: tab.var(TwoFactorState, "secret"))
    assert tab.var(TwoFactorState, "qr").startswith("data:image/svg+xml")
    await tab.call(TwoFactorState, "confirm", form={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "1"})
    await tab.wait_for(lambda: tab.var(TwoFactorState, "error"))
    await tab.call(TwoFactorState, "confirm", form={"code": pyotp.TOTP(secret).now()})
    return await tab.wait_for(lambda: tab.var(TwoFactorState, "codes"))


async def test_enrolling_on_the_page_shows_ten_codes_once_and_the_next_sign_in_asks_for_a_code(open_tab, make_user):
    user, token = make_user()
    tab = await open_tab("/account/two-factor", token=token)
    await tab.wait_for(lambda: tab.var(TwoFactorState, "enrolled") is False)
    codes = await enrol_through_the_page(tab)
    assert len(codes) == 10 and tab.var(TwoFactorState, "enrolled") is True
    await tab.call(TwoFactorState, "saved_codes")
    await tab.wait_for(lambda: tab.var(TwoFactorState, "codes") == [])
    step = await to_code_step(open_tab, user.username)
    assert await verified(step, codes[9]) == ""


async def test_turning_off_on_the_page_needs_the_password_and_a_code(open_tab, make_user):
    user, _, codes = enrolled(make_user)
    token = db.call(sessions.issue, user.id)
    tab = await open_tab("/account/two-factor", token=token)
    await tab.wait_for(lambda: tab.var(TwoFactorState, "enrolled") is True)
    await tab.call(TwoFactorState, "turn_off", form={"password": "wrong password", "code": codes[0]})
    await tab.wait_for(lambda: tab.var(TwoFactorState, "error") == "Your current password is not correct.")
    await tab.call(TwoFactorState, "turn_off", form={"password": "password123", "code": "123"})
    await tab.wait_for(lambda: tab.var(TwoFactorState, "error", "").startswith("That code is not right."))
    assert db.call(second_factor.is_enrolled, user.id)
    await tab.call(TwoFactorState, "turn_off", form={"password": "password123", "code": codes[0]})
    await tab.wait_for(lambda: tab.var(TwoFactorState, "enrolled") is False)
    assert not db.call(second_factor.is_enrolled, user.id)


async def test_when_everyone_must_have_a_factor_a_sign_in_without_one_may_only_enrol(
    open_tab, make_user, nobody_required
):
    boss, _, _ = enrolled(make_user)
    db.call(admin.promote, boss.username)
    db.call(admin.require_second_factor, boss.id, "everyone")
    user, _ = make_user()
    tab = await open_tab("/login")
    await tab.call(AccountFormState, "login", form={"username": user.username, "password": "password123"})
    await tab.wait_for(lambda: "/account/two-factor" in tab.redirects)
    token = tab.local_storage[STORAGE_KEY]
    assert db.call(sessions.resolve, token).must_enrol
    # Every other page and handler treats the session as nobody; the login page sends it on to enrol.
    rooms = await open_tab("/rooms", token=token)
    await rooms.wait_for(lambda: rooms.redirects == ["/login"])
    assert rooms.var(RoomsState, "lobby", []) == [] and not rooms.var(AuthState, "username")
    login = await open_tab("/login", token=token)
    await login.wait_for(lambda: login.redirects == ["/account/two-factor"])
    await tab.navigate("/account/two-factor")
    await tab.wait_for(lambda: tab.var(TwoFactorState, "must_enrol") is True)
    await enrol_through_the_page(tab)
    await tab.call(TwoFactorState, "saved_codes")
    await tab.wait_for(lambda: tab.redirects[-1] == "/rooms")
    again = await open_tab("/rooms", token=token)
    await again.wait_for(lambda: again.var(AuthState, "username") == user.username)
    assert again.redirects == []
