"""Web Push end to end over real sockets and real HTTP: a browser's subscription (as assets/push.js hands
it over) is stored, a mention in a room is encrypted and POSTed to the browser's push service (a real
server started here), decrypts with the browser's keys to the notification the service worker shows,
carries a VAPID signature the server's public key verifies, and a subscription the service says is
gone is forgotten."""

import asyncio
import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from djangochat_rx import db, settings
from djangochat_rx.notify import push
from djangochat_rx.state.push import PushState
from djangochat_rx.state.room import RoomState
from tests.support.push_service import PushService


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
async def service(monkeypatch):
    server = PushService()
    await server.start()
    monkeypatch.setattr(settings, "PUSH_ALLOW_HTTP", True)
    monkeypatch.setattr(settings, "PUSH_SERVICES", ["127.0.0.1"])
    yield server
    await server.stop()


async def until(predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def verify_vapid(authorization: str, endpoint: str) -> dict:
    """The claims of a `vapid t=<JWT>, k=<key>` header, after checking its ES256 signature with the
    server's public key."""
    parts = dict(part.strip().split("=", 1) for part in authorization.removeprefix("vapid ").split(","))
    assert parts["k"] == db.call(push.public_key)
    header, claims, signature = parts["t"].split(".")
    raw = unb64(signature)
    der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
    try:
        key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        pytest.fail("the VAPID signature does not verify")
    decoded = json.loads(unb64(claims))
    assert decoded["aud"] == endpoint.rsplit("/push/", 1)[0]
    return decoded


async def test_a_mention_reaches_the_mentioned_persons_browser_through_its_push_service(
    open_tab, make_user, room, service
):
    bob, bob_token = make_user()
    _, alice_token = make_user()
    browser = service.browser("bob-laptop")
    account = await open_tab("/account", token=bob_token)
    await account.call(
        PushState, "answered", answer={"action": "subscribe", "ok": True, "subscription": browser.subscription()}
    )
    await account.wait_for(lambda: account.var(PushState, "push_status") == "on")
    assert account.var(PushState, "push_devices") == 1

    alice = await open_tab(f"/rooms/{room.slug}", token=alice_token)
    await alice.wait_for(lambda: alice.var(RoomState, "status") == "ready")
    await alice.call(RoomState, "send", form={"message": f"@{bob.username} the deploy is done"})
    await until(lambda: service.received)

    [(name, headers, body)] = service.received
    assert name == "bob-laptop" and headers["Content-Encoding"] == "aes128gcm"
    assert int(headers["TTL"]) == settings.PUSH_TTL_SECONDS
    message_id = alice.feed()[-1]["id"]
    assert browser.decrypt(body) == {
        "title": f"{alice.var(RoomState, 'username') or alice.feed()[-1]['author']} mentioned you in #{room.name}",
        "body": f"@{bob.username} the deploy is done",
        "url": f"/rooms/{room.slug}?message={message_id}",
        "tag": f"djangochat-{message_id}",
    }
    assert verify_vapid(headers["Authorization"], browser.endpoint)["sub"].startswith("mailto:")

    # The service says the subscription is gone (the person cleared the browser): we forget it.
    service.status = 410
    await alice.call(RoomState, "send", form={"message": f"@{bob.username} still there?"})
    await until(lambda: len(service.received) == 2)
    await until(lambda: db.call(push.subscribed, bob.id) == 0)


async def test_turning_push_off_forgets_the_browser_and_a_foreign_address_is_refused(open_tab, make_user, service):
    user, token = make_user()
    account = await open_tab("/account", token=token)
    browser = service.browser("phone")
    await account.call(
        PushState, "answered", answer={"action": "subscribe", "ok": True, "subscription": browser.subscription()}
    )
    await account.wait_for(lambda: account.var(PushState, "push_devices") == 1)
    await account.call(
        PushState, "answered", answer={"action": "unsubscribe", "ok": True, "endpoint": browser.endpoint}
    )
    await account.wait_for(lambda: account.var(PushState, "push_status") == "off")
    assert db.call(push.subscribed, user.id) == 0

    elsewhere = {**browser.subscription(), "endpoint": "https://intranet.example.org/hook"}
    await account.call(PushState, "answered", answer={"action": "subscribe", "ok": True, "subscription": elsewhere})
    await account.wait_for(lambda: "cannot use" in account.var(PushState, "push_error", ""))
    await account.call(
        PushState, "answered", answer={"action": "subscribe", "ok": False, "error": "Notifications are blocked"}
    )
    await account.wait_for(lambda: account.var(PushState, "push_error") == "Notifications are blocked")
    assert db.call(push.subscribed, user.id) == 0
