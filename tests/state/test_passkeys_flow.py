"""Passkeys through the real handlers over websockets (the browser's WebAuthn played by a software authenticator):
add one on the two-factor page, sign in with it alone, use it at the code step; an answer to no ceremony, to
another ceremony, from another user's passkey, or from a page on an origin the app does not serve does nothing."""

import json

import pyotp

from djangochat_rx import db
from djangochat_rx.domain import passkeys, second_factor, sessions
from djangochat_rx.state.auth import AccountFormState, SecondStepState
from djangochat_rx.state.second_factor import TwoFactorState
from tests.support.authenticator import SoftAuthenticator
from tests.support.client import STORAGE_KEY

ORIGIN = "http://localhost:3000"
PAGE = {"Origin": ORIGIN}


async def ceremony(tab, state, handler: str, authenticator, kind: str, number_offset: int = 0, **payload) -> None:
    """Start a ceremony with `handler` and play the browser: answer the request it makes as the Passkey
    component would (to the ceremony `number_offset` away from it)."""
    before = len(tab.frames)
    await tab.call(state, handler, **payload)
    name = state.get_full_name()
    asked = await tab.wait_for(
        lambda: next(
            (
                frame["delta"][name]["passkey_request_rx_state_"]
                for frame in tab.frames[before:]
                if frame.get("delta", {}).get(name, {}).get("passkey_request_rx_state_")
            ),
            None,
        )
    )
    request = json.loads(asked)
    options = json.dumps(request["options"])
    credential = authenticator.create(options) if kind == "create" else authenticator.get(options)
    result = {"id": request["id"] + number_offset, "kind": kind, "ok": True, "credential": credential}
    await tab.call(state, "passkey_answered", answer=result)


def registered(user, device) -> None:
    started = db.call(passkeys.registration, user.id, "localhost")
    db.call(passkeys.register, user.id, "k", device.create(started.options), started.challenge, ORIGIN, "localhost")


async def test_add_a_passkey_and_sign_in_with_it_alone(open_tab, make_user):
    user, token = make_user()
    tab = await open_tab("/account/two-factor", token=token, headers=PAGE)
    await tab.wait_for(lambda: tab.var(TwoFactorState, "enrolled") is False)
    device = SoftAuthenticator("localhost", ORIGIN)
    await ceremony(tab, TwoFactorState, "add_passkey", device, "create", form={"name": "work laptop"})
    await tab.wait_for(lambda: tab.var(TwoFactorState, "passkey_list"))
    assert [key["name"] for key in tab.var(TwoFactorState, "passkey_list")] == ["work laptop"]

    login = await open_tab("/login", headers=PAGE)
    await ceremony(login, AccountFormState, "passkey_sign_in", device, "get")
    await login.wait_for(lambda: login.redirects == ["/rooms"])
    identity = db.call(sessions.resolve, login.local_storage[STORAGE_KEY])
    assert identity.user_id == user.id
    opened = {view.id: (view.sign_in, view.second_factor) for view in db.call(sessions.active_sessions, user.id)}
    assert opened[identity.session_id] == ("passkey", "passkey")


async def test_answers_to_no_ceremony_or_to_another_one_do_nothing(open_tab, make_user):
    user, _ = make_user()
    device = SoftAuthenticator("localhost", ORIGIN)
    registered(user, device)
    login = await open_tab("/login", headers=PAGE)
    forged = {"id": 1, "kind": "get", "ok": True, "credential": device.get(json.dumps({"challenge": "AAAA"}))}
    await login.call(AccountFormState, "passkey_answered", answer=forged)  # no ceremony under way
    await ceremony(login, AccountFormState, "passkey_sign_in", device, "get", number_offset=7)  # another one's
    await ceremony(login, AccountFormState, "passkey_sign_in", device, "get")
    await login.wait_for(lambda: login.redirects == ["/rooms"])  # only the right answer signed in
    assert len([view for view in db.call(sessions.active_sessions, user.id) if view.sign_in == "passkey"]) == 1
    nowhere = await open_tab("/login")  # a client that names no page it is on
    await nowhere.call(AccountFormState, "passkey_sign_in")
    await nowhere.wait_for(lambda: nowhere.var(AccountFormState, "passkey_error"))
    assert nowhere.var(AccountFormState, "passkey_request") == ""


async def test_at_the_code_step_only_the_awaited_users_passkey_will_do(open_tab, make_user):
    user, _ = make_user()
    secret = db.call(second_factor.start_enrolment, user.id).secret
    db.call(second_factor.confirm_enrolment, user.id, pyotp.TOTP(secret).now())
    mine, theirs = SoftAuthenticator("localhost", ORIGIN), SoftAuthenticator("localhost", ORIGIN)
    other, _ = make_user()
    registered(user, mine)
    registered(other, theirs)
    tab = await open_tab("/login", headers=PAGE)
    await tab.call(AccountFormState, "login", form={"username": user.username, "password": "password123"})
    await tab.wait_for(lambda: "/login/code" in tab.redirects)
    await ceremony(tab, SecondStepState, "use_passkey", theirs, "get")
    await tab.wait_for(lambda: tab.var(SecondStepState, "passkey_error"))
    assert tab.var(SecondStepState, "passkey_error") == passkeys.REFUSED and not tab.local_storage.get(STORAGE_KEY)
    await ceremony(tab, SecondStepState, "use_passkey", mine, "get")
    await tab.wait_for(lambda: tab.redirects[-1] == "/rooms")
    assert db.call(sessions.resolve, tab.local_storage[STORAGE_KEY]).user_id == user.id
