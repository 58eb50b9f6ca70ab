"""Single sign-on's rules (domain/sso.py) and its ID-token checks (http/sso.py): attempts that work once and
only for the browser that started them, who a provider's person is here (linked, linked by a verified
address only, made when sign-up admits them, a disabled account kept out), one-time tickets, and every way
an ID token can be wrong."""

import asyncio
import base64
import json
import time
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from sqlalchemy import update
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import account_links, accounts, admin, signup, sso
from djangochat_rx.http import sso as sso_http
from djangochat_rx.models import AuditEntry, SsoAttempt, SsoLink, User, utcnow

ISSUER = "https://id.example.test"
PROVIDERS = [
    {"id": "corp", "label": "Sign in with Corp", "issuer": ISSUER, "client_id": "chat", "client_secret": "s3cret"},
    {
        "id": "partner",
        "label": "Sign in with Partner",
        "issuer": "https://partner.example.test/",
        "client_id": "chat-partner",
        "allowed_domains": ["partner.example"],
        "admit_groups": ["chat-users"],
    },
]


@pytest.fixture(autouse=True)
def configured(monkeypatch):
    monkeypatch.setattr(settings, "OIDC_PROVIDERS", json.dumps(PROVIDERS))
    sso.providers.cache_clear()
    yield
    sso.providers.cache_clear()


def set_mode(session, mode: str) -> None:
    signup.set_mode(session, None, mode)


def verified(session, user, address: str) -> None:
    session.execute(
        update(User).where(User.id == user.id).values(email=address, email_key=account_links.email_key(address))
    )
    session.commit()


def test_providers_are_read_from_settings_and_a_bad_list_is_refused(monkeypatch):
    assert [(p.id, p.label, p.issuer) for p in sso.providers()] == [
        ("corp", "Sign in with Corp", ISSUER),
        ("partner", "Sign in with Partner", "https://partner.example.test"),
    ]
    for bad in (
        '{"id": "x"}',
        '[{"id": "Bad Id", "issuer": "https://x", "client_id": "c"}]',
        '[{"id": "x", "issuer": "ftp://x", "client_id": "c"}]',
        '[{"id": "x", "issuer": "https://x"}]',
        json.dumps([PROVIDERS[0], PROVIDERS[0]]),
    ):
        monkeypatch.setattr(settings, "OIDC_PROVIDERS", bad)
        sso.providers.cache_clear()
        with pytest.raises(ValueError):
            sso.providers()
    monkeypatch.setattr(settings, "OIDC_PROVIDERS", json.dumps(PROVIDERS))
    sso.providers.cache_clear()
    with pytest.raises(sso.SsoError) as refused:
        sso.provider("nobody")
    assert refused.value.reason == "unknown"


def test_an_attempt_comes_back_once_from_the_browser_that_started_it(session):
    state, attempt = sso.begin(session, "corp", "browser-a")
    assert len(state) >= 43 and attempt.nonce and len(attempt.code_verifier) >= 43
    stored = session.exec(select(SsoAttempt)).one()
    assert state not in stored.state_hash and "browser-a" not in stored.browser_hash  # only hashes kept
    with pytest.raises(sso.SsoError):
        sso.claim_attempt(session, "corp", state, "browser-b")  # another browser's callback: and it is gone
    state, attempt = sso.begin(session, "corp", "browser-a")
    with pytest.raises(sso.SsoError):
        sso.claim_attempt(session, "partner", state, "browser-a")  # for another provider
    state, attempt = sso.begin(session, "corp", "browser-a")
    assert sso.claim_attempt(session, "corp", state, "browser-a") == attempt
    with pytest.raises(sso.SsoError) as replayed:
        sso.claim_attempt(session, "corp", state, "browser-a")
    assert replayed.value.reason == "expired"


def test_an_attempt_expires(session):
    state, _ = sso.begin(session, "corp", "b")
    session.execute(update(SsoAttempt).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    with pytest.raises(sso.SsoError):
        sso.claim_attempt(session, "corp", state, "b")
    sso.begin(session, "corp", "b")  # and starting another sweeps the expired ones
    assert len(session.exec(select(SsoAttempt)).all()) == 1


def test_a_verified_address_links_an_account_with_that_verified_address_and_then_the_subject_signs_in(session, alice):
    verified(session, alice, "alice@corp.example")
    claims = {"sub": "u-1", "email": "Alice@corp.example", "email_verified": True}
    assert sso.identify(session, "corp", claims).id == alice.id
    # Later sign-ins go by the subject, whatever the address says now.
    assert sso.identify(session, "corp", {"sub": "u-1", "email": "other@x.example"}).id == alice.id
    link = session.exec(select(SsoLink)).one()
    assert (link.user_id, link.provider, link.subject) == (alice.id, "corp", "u-1")
    assert session.exec(select(AuditEntry.action, AuditEntry.detail)).all() == [
        ("sso.link", "Sign in with Corp (by verified address)")
    ]


def test_an_unverified_address_never_takes_over_an_account(session, alice):
    verified(session, alice, "alice@corp.example")
    set_mode(session, "invite")
    for claims in (
        {"sub": "evil", "email": "alice@corp.example", "email_verified": False},
        {"sub": "evil", "email": "alice@corp.example"},
        {"sub": "evil", "email": "alice@corp.example", "email_verified": "true"},
    ):
        with pytest.raises(sso.SsoError) as refused:
            sso.identify(session, "corp", claims)
        assert refused.value.reason == "closed"
    assert session.exec(select(SsoLink)).all() == []
    # With open sign-up the stranger gets an account of their own, never alice's.
    set_mode(session, "open")
    made = sso.identify(session, "corp", {"sub": "evil", "email": "alice@corp.example", "email_verified": False})
    assert made.id != alice.id


def test_an_account_without_a_verified_address_is_not_linked_by_address(session, alice):
    set_mode(session, "open")
    made = sso.identify(
        session,
        "corp",
        {"sub": "u-2", "email": "alice@corp.example", "email_verified": True, "preferred_username": "alice"},
    )
    assert made.id != alice.id and made.username == "alice2"
    user = session.exec(select(User).where(User.id == made.id)).one()
    assert user.email == "alice@corp.example" and user.password_hash == accounts.NO_PASSWORD


def test_who_gets_a_new_account(session):
    set_mode(session, "invite")
    with pytest.raises(sso.SsoError) as refused:
        sso.identify(session, "corp", {"sub": "a", "email": "a@corp.example", "email_verified": True})
    assert refused.value.reason == "closed"
    by_domain = sso.identify(session, "partner", {"sub": "b", "email": "bo@partner.example", "email_verified": True})
    assert by_domain.username == "bo_"
    by_group = sso.identify(session, "partner", {"sub": "c", "groups": ["chat-users"], "name": "Cy Young"})
    assert by_group.username == "Cy.Young"
    with pytest.raises(sso.SsoError):  # an unverified address at the domain admits nobody
        sso.identify(session, "partner", {"sub": "d", "email": "d@partner.example", "email_verified": False})
    set_mode(session, "open")
    signup.set_domain(session, None, "corp.example")
    with pytest.raises(sso.SsoError):
        sso.identify(session, "corp", {"sub": "e", "email": "e@elsewhere.example", "email_verified": True})
    assert sso.identify(session, "corp", {"sub": "f", "email": "f@corp.example", "email_verified": True})


def test_a_disabled_account_or_a_bot_stays_out(session, alice):
    verified(session, alice, "alice@corp.example")
    sso.identify(session, "corp", {"sub": "u-1", "email": "alice@corp.example", "email_verified": True})
    session.execute(update(User).where(User.id == alice.id).values(is_active=False))
    session.commit()
    with pytest.raises(sso.SsoError) as refused:
        sso.identify(session, "corp", {"sub": "u-1"})
    assert refused.value.reason == "disabled"


def test_a_ticket_signs_in_once_in_time_to_an_active_account(session, alice, monkeypatch):
    verified(session, alice, "alice@corp.example")
    sso.identify(session, "corp", {"sub": "u-1", "email": "alice@corp.example", "email_verified": True})
    ticket = sso.issue_ticket(session, alice.id)
    assert sso.redeem_ticket(session, ticket) == (alice, "Corp")
    with pytest.raises(sso.SsoError):
        sso.redeem_ticket(session, ticket)
    monkeypatch.setattr(settings, "SSO_TICKET_SECONDS", -1)
    with pytest.raises(sso.SsoError):
        sso.redeem_ticket(session, sso.issue_ticket(session, alice.id))
    monkeypatch.setattr(settings, "SSO_TICKET_SECONDS", 120)
    late = sso.issue_ticket(session, alice.id)
    session.execute(update(User).where(User.id == alice.id).values(is_active=False))
    session.commit()
    with pytest.raises(sso.SsoError):
        sso.redeem_ticket(session, late)
    for forged in ("", "x" * 43):
        with pytest.raises(sso.SsoError):
            sso.redeem_ticket(session, forged)


# The ID token's checks, against keys the test holds (the provider's, and a stranger's).
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
ROTATED_KEY = RSAKey.generate_key(2048, parameters={"kid": "k2"})


def id_token(key=PROVIDER_KEY, alg: str = "RS256", **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "chat", "sub": "u-1", "iat": now, "exp": now + 300, "nonce": "n-1", **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)


@pytest.fixture
def published(monkeypatch):
    """The provider publishes PROVIDER_KEY (a list the test may change: a rotation)."""
    keys = [PROVIDER_KEY]
    fetched = []

    async def fake_fetch(method: str, url: str, **kwargs):
        fetched.append(url)
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"}
        return KeySet(list(keys)).as_dict(private=False)

    monkeypatch.setattr(sso_http, "fetch_json", fake_fetch)
    monkeypatch.setattr(sso_http, "directory", sso_http.Directory())
    return keys, fetched


def check(token: str, nonce: str = "n-1") -> dict:
    return asyncio.run(sso_http.check_id_token(sso.provider("corp"), token, nonce))


def test_a_good_id_token_gives_its_claims(published):
    assert check(id_token())["sub"] == "u-1"
    assert check(id_token(aud=["chat", "other"], azp="chat"))["sub"] == "u-1"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: id_token(key=OTHER_KEY), id="signed by another key"),
        pytest.param(lambda: id_token(aud="someone-else"), id="for another audience"),
        pytest.param(lambda: id_token(aud=["chat", "other"]), id="several audiences, no azp"),
        pytest.param(lambda: id_token(iss="https://evil.example"), id="from another issuer"),
        pytest.param(lambda: id_token(exp=int(time.time()) - 120), id="expired"),
        pytest.param(lambda: id_token(nonce="n-0"), id="another nonce (a replay)"),
        pytest.param(lambda: id_token(nonce=None), id="no nonce"),
        pytest.param(lambda: id_token(sub=None), id="no subject"),
        pytest.param(lambda: id_token().rsplit(".", 1)[0] + ".", id="signature cut off"),
        pytest.param(lambda: "not.a.token", id="garbage"),
    ],
)
def test_an_id_token_that_fails_any_check_is_refused(published, token):
    with pytest.raises(sso.SsoError) as refused:
        check(token())
    assert refused.value.reason == "invalid"


def test_unsigned_and_symmetric_tokens_are_refused(published):
    header = {"alg": "none"}

    def b64(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "chat", "sub": "u-1", "iat": now, "exp": now + 300, "nonce": "n-1"}
    with pytest.raises(sso.SsoError):
        check(f"{b64(header)}.{b64(claims)}.")
    with pytest.raises(sso.SsoError):  # HS256 with a key anyone could know
        check(jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(b"s3cret" * 6)))


def test_a_rotated_key_is_fetched_once_and_unknown_keys_do_not_flood_the_provider(published):
    keys, fetched = published
    check(id_token())
    keys.append(ROTATED_KEY)
    sso_http.directory._keys_fetched_at["corp"] -= sso_http.KEY_REFETCH_SECONDS  # a minute after that fetch
    assert check(id_token(key=ROTATED_KEY))["sub"] == "u-1"  # unknown kid: the keys are fetched again
    jwks_fetches = [url for url in fetched if url.endswith("/jwks")]
    assert len(jwks_fetches) == 2
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k9"})
    for _ in range(3):
        with pytest.raises(sso.SsoError):
            check(id_token(key=stranger))
    assert len([url for url in fetched if url.endswith("/jwks")]) == 2  # within a minute of the last fetch


def test_fetches_from_providers_are_bounded(monkeypatch):
    """A real (misbehaving) provider on 127.0.0.1: too slow, too big, a redirect, no JSON: each is
    "unreachable", and past SSO_FETCHES_AT_ONCE fetches in flight the next is refused at once."""
    monkeypatch.setattr(settings, "SSO_FETCH_SECONDS", 0.5)
    monkeypatch.setattr(settings, "SSO_FETCH_MAX_BYTES", 1000)
    monkeypatch.setattr(settings, "SSO_FETCHES_AT_ONCE", 2)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = (await reader.readuntil(b"\r\n\r\n")).decode()
        path = request.split(" ")[1]
        if path == "/slow":
            await asyncio.sleep(2)
        body, status, extra = b'{"ok": true}', "200 OK", ""
        if path == "/big":
            body = b'{"x": "' + b"a" * 5000 + b'"}'
        elif path == "/moved":
            status, extra = "302 Found", "Location: /ok\r\n"
        elif path == "/html":
            body = b"<html>hello</html>"
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()
        writer.close()

    async def scenario() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server:
            assert await sso_http.fetch_json("GET", f"{base}/ok") == {"ok": True}
            for path in ("/slow", "/big", "/moved", "/html"):
                with pytest.raises(sso_http.ProviderUnreachable):
                    await sso_http.fetch_json("GET", f"{base}{path}")
            with pytest.raises(sso_http.ProviderUnreachable):
                await sso_http.fetch_json("GET", "file:///etc/passwd")
            slow = [asyncio.create_task(sso_http.fetch_json("GET", f"{base}/slow")) for _ in range(2)]
            await asyncio.sleep(0.1)
            started = time.monotonic()
            with pytest.raises(sso_http.ProviderUnreachable, match="at once"):
                await sso_http.fetch_json("GET", f"{base}/ok")
            assert time.monotonic() - started < 0.1
            for task in slow:
                with pytest.raises(sso_http.ProviderUnreachable):
                    await task
            assert await sso_http.fetch_json("GET", f"{base}/ok") == {"ok": True}

    asyncio.run(scenario())


def test_unlinking_a_provider_never_leaves_an_account_without_a_way_in(session, alice):
    set_mode(session, "open")
    made = sso.identify(session, "corp", {"sub": "z-1", "email": "z@corp.example", "email_verified": True})
    assert [link.label for link in sso.links_of(session, made.id)] == ["Corp"]
    with pytest.raises(sso.SsoError) as refused:  # no password, no other provider
        sso.unlink(session, made.id, "corp")
    assert refused.value.reason == "last"
    sso.identify(session, "partner", {"sub": "z-2", "email": "z@corp.example", "email_verified": True})
    sso.unlink(session, made.id, "corp")  # the partner link remains
    assert [link.provider for link in sso.links_of(session, made.id)] == ["partner"]
    verified(session, alice, "alice@corp.example")
    sso.identify(session, "corp", {"sub": "a-1", "email": "alice@corp.example", "email_verified": True})
    sso.unlink(session, alice.id, "corp")  # alice has a password
    assert sso.links_of(session, alice.id) == []
    assert ("sso.unlink", "user:alice", "corp") in session.exec(
        select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
    ).all()


def test_the_admin_list_names_the_providers_someone_signs_in_with(session, root):
    set_mode(session, "open")
    made = sso.identify(session, "corp", {"sub": "q-1", "email": "q@corp.example", "email_verified": True})
    sso.identify(session, "partner", {"sub": "q-2", "email": "q@corp.example", "email_verified": True})
    listed = {user.username: user.sso for user in admin.list_users(session, root.id)}
    assert sorted(listed[made.username].split()) == ["corp", "partner"] and listed["root"] == ""


def test_turning_passwords_off_needs_a_provider_and_the_admins_own_link_and_the_terminal_brings_them_back(
    session, root, alice, monkeypatch
):
    assert sso.passwords_allowed(session)
    with pytest.raises(admin.NotAdmin):
        sso.set_password_sign_in(session, alice.id, False)
    with pytest.raises(admin.AdminError, match="Sign in with a provider yourself first"):
        sso.set_password_sign_in(session, root.id, False)
    verified(session, root, "root@corp.example")
    sso.identify(session, "corp", {"sub": "r-1", "email": "root@corp.example", "email_verified": True})
    assert sso.set_password_sign_in(session, root.id, False) is False
    assert not sso.passwords_allowed(session)
    assert sso.set_password_sign_in(session, None, True) is True  # python -m djangochat_rx password-sign-in on
    assert sso.passwords_allowed(session)
    monkeypatch.setattr(settings, "OIDC_PROVIDERS", "[]")
    sso.providers.cache_clear()
    with pytest.raises(admin.AdminError, match="No single sign-on provider"):
        sso.set_password_sign_in(session, None, False)
    entries = session.exec(select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.detail)).all()
    assert [entry for entry in entries if entry[1] == "signup.passwords"] == [
        (root.id, "signup.passwords", "on → off"),
        (None, "signup.passwords", "off → on"),
    ]
