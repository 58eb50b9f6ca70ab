"""Single sign-on end to end over real HTTP: an OpenID Connect provider (oidc-provider-mock) on 127.0.0.1, the
in-process backend's /_sso routes, the page that takes the hand-over; and the ways a sign-in is refused."""

import json
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import oidc_provider_mock
import pyotp
import pytest
from limits import parse
from sqlalchemy import update

from djangochat_rx import db, settings
from djangochat_rx.domain import account_links, second_factor, sessions, signup, sso
from djangochat_rx.http import sso as sso_http
from djangochat_rx.infra import throttle
from djangochat_rx.models import User
from djangochat_rx.state.account import AccountState
from djangochat_rx.state.auth import AccountFormState, AuthState, SecondStepState
from djangochat_rx.state.sso import SsoState
from tests.state.conftest import unique
from tests.support.client import STORAGE_KEY


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread(port=0, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(autouse=True)
def configured(monkeypatch, provider_url):
    providers = [
        {"id": "mock", "label": "Sign in with Mock", "issuer": provider_url, "client_id": "chat", "client_secret": "x"},
        {"id": "down", "label": "Sign in with Down", "issuer": f"http://127.0.0.1:{closed_port()}", "client_id": "c"},
    ]
    monkeypatch.setattr(settings, "OIDC_PROVIDERS", json.dumps(providers))
    monkeypatch.setattr(sso_http, "directory", sso_http.Directory())
    sso.providers.cache_clear()
    before = db.call(signup.policy)
    db.call(signup.set_mode, None, "open")
    yield
    sso.providers.cache_clear()
    if not before.needs_setup:  # the shared test database's sign-up as the suite had it
        db.call(signup.set_mode, None, before.mode)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def person(provider_url: str, sub: str, **claims) -> None:
    """The provider knows a person with these claims."""
    httpx.put(f"{provider_url}/users/{sub}", json=claims).raise_for_status()


def to_provider(browser: httpx.Client, backend_url: str, provider: str = "mock") -> httpx.Response:
    return browser.get(f"{backend_url}/_sso/{provider}/start")


def sign_in_at_provider(browser: httpx.Client, backend_url: str, sub: str) -> httpx.Response:
    """Start, let the person `sub` sign in at the provider, come back: our callback's answer."""
    left = to_provider(browser, backend_url)
    assert left.status_code == 303
    authorize = left.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    at_provider = browser.post(authorize, data={"sub": sub})
    assert at_provider.status_code == 302, at_provider.text[:300]
    return browser.get(at_provider.headers["location"])


def where(answer: httpx.Response) -> tuple[str, dict[str, str]]:
    assert answer.status_code == 303, answer.text[:300]
    parts = urlsplit(answer.headers["location"])
    return parts.path, {name: values[0] for name, values in parse_qs(parts.query).items()}


async def land(open_tab, ticket: str, keep_name: bool = True):
    """The page the provider's return lands on, with `ticket`; a new account keeps its proposed username."""
    tab = await open_tab(f"/login/sso?ticket={ticket}")
    await tab.wait_for(lambda: tab.redirects or tab.var(SsoState, "error") or tab.var(SsoState, "proposed"))
    if keep_name and tab.var(SsoState, "proposed"):
        await tab.call(SsoState, "choose_username", form={"username": tab.var(SsoState, "proposed")})
        await tab.wait_for(lambda: tab.redirects or tab.var(SsoState, "error"))
    return tab


async def test_a_new_person_signs_in_with_the_provider_and_gets_an_account(open_tab, backend_url, provider_url):
    sub = unique("ann")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True, preferred_username=sub)
    with httpx.Client() as browser:
        path, query = where(sign_in_at_provider(browser, backend_url, sub))
    assert path == "/login/sso"
    tab = await land(open_tab, query["ticket"])
    assert tab.redirects == ["/rooms"]
    identity = db.call(sessions.resolve, tab.local_storage[STORAGE_KEY])
    assert identity.username == sub
    (opened,) = db.call(sessions.active_sessions, identity.user_id)
    assert opened.sign_in == "single sign-on (Mock)"
    again = await land(open_tab, query["ticket"])  # the ticket worked once
    assert again.var(SsoState, "error").startswith("That sign-in took too long or was already used")


async def test_a_new_account_changes_its_proposed_username_once_before_its_first_session(
    open_tab, backend_url, provider_url, make_user
):
    taken, _ = make_user()
    sub = unique("fay")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True, preferred_username=sub)
    with httpx.Client() as browser:
        _, query = where(sign_in_at_provider(browser, backend_url, sub))
    tab = await land(open_tab, query["ticket"], keep_name=False)
    assert tab.var(SsoState, "proposed") == sub and not tab.local_storage.get(STORAGE_KEY)
    await tab.call(SsoState, "choose_username", form={"username": taken.username})
    await tab.wait_for(lambda: tab.var(SsoState, "error") == "That username is taken.")
    await tab.call(SsoState, "choose_username", form={"username": "x"})
    await tab.wait_for(lambda: tab.var(SsoState, "error").startswith("Username must be"))
    chosen = unique("Fay_")
    await tab.call(SsoState, "choose_username", form={"username": chosen})
    await tab.wait_for(lambda: tab.redirects == ["/rooms"])
    await tab.wait_for(lambda: tab.var(SsoState, "proposed") == "")
    assert db.call(sessions.resolve, tab.local_storage[STORAGE_KEY]).username == chosen
    # Once: the same tab, or one that never redeemed a new account's ticket, renames nothing.
    await tab.call(SsoState, "choose_username", form={"username": unique("again")})
    stranger = await open_tab("/login/sso?ticket=forged")
    await stranger.wait_for(lambda: stranger.var(SsoState, "error"))
    await stranger.call(SsoState, "choose_username", form={"username": unique("again")})
    await tab.navigate("/account")
    assert db.call(sessions.resolve, tab.local_storage[STORAGE_KEY]).username == chosen
    # The next sign-in through the provider goes straight in, under the chosen name.
    with httpx.Client() as browser:
        _, query = where(sign_in_at_provider(browser, backend_url, sub))
    again = await land(open_tab, query["ticket"], keep_name=False)
    assert again.redirects == ["/rooms"] and again.var(SsoState, "proposed") == ""


async def test_an_existing_account_with_that_verified_address_is_signed_in_and_a_second_factor_still_asked(
    open_tab, backend_url, provider_url, make_user
):
    user, _ = make_user()
    address = f"{user.username}@corp.example"
    with db.session() as database:
        database.execute(
            update(User).where(User.id == user.id).values(email=address, email_key=account_links.email_key(address))
        )
        database.commit()
    secret = db.call(second_factor.start_enrolment, user.id).secret
    db.call(second_factor.confirm_enrolment, user.id, pyotp.TOTP(secret).now())
    sub = unique("sso")
    person(provider_url, sub, email=address, email_verified=True)
    with httpx.Client() as browser:
        _, query = where(sign_in_at_provider(browser, backend_url, sub))
    tab = await land(open_tab, query["ticket"])
    assert tab.redirects == ["/login/code"] and not tab.local_storage.get(STORAGE_KEY)
    await tab.navigate("/login/code")
    totp = pyotp.TOTP(secret)
    await tab.call(
        SecondStepState, "verify", form={"code": totp.generate_otp(totp.timecode(second_factor.utcnow()) + 1)}
    )
    await tab.wait_for(lambda: tab.redirects[-1:] == ["/rooms"])
    assert db.call(sessions.resolve, tab.local_storage[STORAGE_KEY]).user_id == user.id


async def test_a_callback_from_another_browser_a_replay_or_a_forged_state_is_refused(backend_url, provider_url):
    sub = unique("bo")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True)
    with httpx.Client() as victim, httpx.Client() as attacker:
        left = to_provider(attacker, backend_url)
        back = attacker.post(left.headers["location"], data={"sub": sub}).headers["location"]
        # The attacker's callback link opened in the victim's browser (login CSRF): not its sign-in.
        assert where(victim.get(back)) == ("/login", {"sso": "expired"})
        assert where(attacker.get(back)) == ("/login", {"sso": "expired"})  # and the attempt is spent
        left = to_provider(attacker, backend_url)
        back = attacker.post(left.headers["location"], data={"sub": sub}).headers["location"]
        forged = back.replace("state=", "state=x")
        assert where(attacker.get(forged)) == ("/login", {"sso": "expired"})
        # The honest callback still works, once: replaying it (its code and state) does not.
        assert where(attacker.get(back))[0] == "/login/sso"
        assert where(attacker.get(back)) == ("/login", {"sso": "expired"})


async def test_a_refusal_at_the_provider_an_unreachable_provider_or_an_unknown_one(backend_url):
    with httpx.Client() as browser:
        left = to_provider(browser, backend_url)
        denied = browser.post(left.headers["location"], data={"action": "deny"}).headers["location"]
        assert where(browser.get(denied)) == ("/login", {"sso": "refused"})
        assert where(to_provider(browser, backend_url, "down")) == ("/login", {"sso": "unreachable"})
        assert where(to_provider(browser, backend_url, "nobody")) == ("/login", {"sso": "unknown"})


async def test_sign_up_closed_to_a_stranger_says_so_on_the_login_page(open_tab, backend_url, provider_url):
    db.call(signup.set_mode, None, "invite")
    sub = unique("cy")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True)
    with httpx.Client() as browser:
        path, query = where(sign_in_at_provider(browser, backend_url, sub))
    assert (path, query) == ("/login", {"sso": "closed"})
    tab = await open_tab("/login?sso=closed")
    await tab.wait_for(lambda: tab.var(AccountFormState, "error"))
    assert tab.var(AccountFormState, "error") == sso.REASONS["closed"]
    assert [button["label"] for button in tab.var(AccountFormState, "sso_buttons")] == [
        "Sign in with Mock",
        "Sign in with Down",
    ]


async def test_the_account_page_lists_the_providers_and_never_unlinks_the_last_way_in(open_tab):
    sub = unique("dee")
    user = db.call(sso.identify, "mock", {"sub": sub, "email": f"{sub}@corp.example", "email_verified": True})
    tab = await open_tab("/account", token=db.call(sessions.issue, user.id))
    await tab.wait_for(lambda: tab.var(AccountState, "sso_links"))
    assert [(link["label"], link["email"]) for link in tab.var(AccountState, "sso_links")] == [
        ("Mock", f"{sub}@corp.example")
    ]
    await tab.call(AccountState, "unlink_provider", provider_id="mock")
    await tab.wait_for(lambda: tab.var(AccountState, "sso_error"))
    assert tab.var(AccountState, "sso_error").startswith("This is your only way to sign in")
    assert [link.provider for link in db.call(sso.links_of, user.id)] == ["mock"]


def on_backend(backend_url: str, url: str) -> str:
    """`url` (the tab's idea of the backend's address) on the test's backend."""
    parts = urlsplit(url)
    return f"{backend_url}{parts.path}?{parts.query}"


async def test_a_signed_in_person_links_another_provider_from_the_account_page(
    open_tab, make_user, provider_url, backend_url
):
    user, token = make_user()
    tab = await open_tab("/account", token=token)
    await tab.wait_for(lambda: tab.var(AccountState, "sso_unlinked"))
    assert [choice["label"] for choice in tab.var(AccountState, "sso_unlinked")] == ["Mock", "Down"]
    await tab.call(AccountState, "link_provider", provider_id="mock")
    await tab.wait_for(lambda: tab.var(AccountState, "link_url"))
    assert tab.var(AccountState, "link_label") == "Mock"
    start = on_backend(backend_url, tab.var(AccountState, "link_url"))
    assert "/_sso/mock/start?link=" in start
    sub = unique("lee")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True)
    with httpx.Client() as browser:
        left = browser.get(start)
        at_provider = browser.post(left.headers["location"], data={"sub": sub})
        path, query = where(browser.get(at_provider.headers["location"]))
        assert (path, query) == ("/account", {"sso_linked": "mock"})
        assert where(browser.get(start)) == ("/login", {"sso": "expired"})  # the link token worked once
    assert [(link.provider, link.email) for link in db.call(sso.links_of, user.id)] == [("mock", f"{sub}@corp.example")]
    back = await open_tab("/account?sso_linked=mock", token=token)
    await back.wait_for(lambda: back.var(AccountState, "sso_notice"))
    assert back.var(AccountState, "sso_notice") == "Mock is linked: you can sign in with it."
    assert [choice["id"] for choice in back.var(AccountState, "sso_unlinked")] == ["down"]

    # The same account at the provider cannot then be linked to someone else too.
    other, other_token = make_user()
    theirs = await open_tab("/account", token=other_token)
    await theirs.wait_for(lambda: theirs.var(AccountState, "sso_unlinked"))
    await theirs.call(AccountState, "link_provider", provider_id="mock")
    await theirs.wait_for(lambda: theirs.var(AccountState, "link_url"))
    with httpx.Client() as browser:
        left = browser.get(on_backend(backend_url, theirs.var(AccountState, "link_url")))
        at_provider = browser.post(left.headers["location"], data={"sub": sub})
        assert where(browser.get(at_provider.headers["location"])) == ("/account", {"sso": "taken"})
    assert db.call(sso.links_of, other.id) == []
    refused = await open_tab("/account?sso=taken&sso_linked=nowhere", token=other_token)
    await refused.wait_for(lambda: refused.var(AccountState, "sso_error"))
    assert refused.var(AccountState, "sso_error") == sso.REASONS["taken"]
    assert refused.var(AccountState, "sso_notice") == ""


@pytest.fixture
def passwords_off():
    db.call(sso.set_password_sign_in, None, False)
    yield
    db.call(sso.set_password_sign_in, None, True)


async def test_with_passwords_off_only_single_sign_on_signs_in(open_tab, make_user, passwords_off):
    user, _ = make_user()
    tab = await open_tab("/login")
    await tab.wait_for(lambda: tab.var(AccountFormState, "passwords") is False)
    await tab.call(AccountFormState, "login", form={"username": user.username, "password": "password123"})
    await tab.wait_for(lambda: tab.var(AccountFormState, "error") == sso.PASSWORDS_OFF)
    register = await open_tab("/register")
    await register.wait_for(lambda: register.var(AccountFormState, "register_status") == "sso")
    form = {"username": unique("reg"), "password": "password123", "confirm_password": "password123"}
    await register.call(AccountFormState, "register", form=form)
    await register.wait_for(lambda: register.var(AccountFormState, "error") == sso.PASSWORDS_OFF)
    assert not tab.local_storage.get(STORAGE_KEY) and not register.local_storage.get(STORAGE_KEY)


async def test_signing_out_of_a_single_sign_on_session_offers_the_providers_sign_out(
    open_tab, backend_url, provider_url
):
    sub = unique("eve")
    person(provider_url, sub, email=f"{sub}@corp.example", email_verified=True)
    with httpx.Client() as browser:
        _, query = where(sign_in_at_provider(browser, backend_url, sub))
    tab = await land(open_tab, query["ticket"])
    await tab.call(AuthState, "logout")
    await tab.wait_for(lambda: tab.var(AuthState, "flash"))
    assert tab.var(AuthState, "flash") == "You are signed out here. You may still be signed in at Mock."
    link = tab.var(AuthState, "flash_link")
    assert link["text"] == "Sign out of Mock too" and link["url"].endswith("/_sso/mock/logout")
    with httpx.Client() as browser:
        onward = browser.get(f"{backend_url}/_sso/mock/logout")
        assert onward.status_code == 303
        target = urlsplit(onward.headers["location"])
        assert f"{target.scheme}://{target.netloc}" == provider_url and target.path == "/oauth2/end_session"
        assert parse_qs(target.query)["post_logout_redirect_uri"] == [f"{settings.PUBLIC_URL}/login"]
        # A provider without an end-session page, or none at all: back to our login page.
        for provider in ("down", "nobody"):
            back = browser.get(f"{backend_url}/_sso/{provider}/logout")
            assert (back.status_code, back.headers["location"]) == (303, f"{settings.PUBLIC_URL}/login")


async def test_signing_out_of_a_password_session_offers_nothing_more(open_tab, make_user):
    _, token = make_user()
    tab = await open_tab("/rooms", token=token)
    await tab.wait_for(lambda: tab.var(AuthState, "username"))
    await tab.call(AuthState, "logout")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    assert not tab.var(AuthState, "flash") and not tab.var(AuthState, "flash_link")


async def test_each_address_has_a_budget_of_sign_ins_through_providers(backend_url, monkeypatch):
    await throttle._limiter().storage.reset()
    monkeypatch.setattr(throttle, "SSO_PER_CLIENT", [parse("3 per minute")])
    with httpx.Client() as browser:
        answers = [
            browser.get(f"{backend_url}/_sso/mock/{route}") for route in ("start", "callback", "logout", "start")
        ]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    assert answers[-1].text == "Too many sign-ins from this address. Try again later."
    await throttle._limiter().storage.reset()
