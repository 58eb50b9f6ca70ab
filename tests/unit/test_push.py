"""Web Push (push.py): the VAPID keys, which subscriptions are accepted, and who a message is pushed to."""

import json

import pytest
from sqlmodel import func, select

from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import members, messages, rooms
from djangochat_rx.models import PushSubscription, SiteSetting
from djangochat_rx.notify import push

GOOGLE = "https://fcm.googleapis.com/fcm/send/"


def subscription(endpoint: str, p256dh: str = "BNc" + "a" * 84, auth: str = "q" * 22) -> dict:
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def pushed_to(session, event) -> set[str]:
    return {delivery.endpoint for delivery in push.deliveries(session, event)}


def test_the_vapid_keys_are_made_once_and_kept(session):
    first = push.keys(session)
    assert first.private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert len(first.public) == 87  # 65 raw bytes, base64url without padding
    assert push.keys(session) == first
    assert session.exec(select(func.count()).select_from(SiteSetting)).one() == 2


def test_only_known_push_services_are_accepted(session, alice, monkeypatch):
    for endpoint in (
        "https://internal.example.org/admin",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://127.0.0.1/push",
        "ftp://fcm.googleapis.com/x",
        GOOGLE + "x" * 1000,
    ):
        with pytest.raises(push.InvalidSubscription):
            push.subscribe(session, alice.id, subscription(endpoint))
    for broken in ({}, {"endpoint": GOOGLE + "a"}, {"endpoint": GOOGLE + "a", "keys": {"auth": "x"}}, "text", None):
        with pytest.raises(push.InvalidSubscription):
            push.subscribe(session, alice.id, broken)
    push.subscribe(session, alice.id, subscription(GOOGLE + "abc"))
    push.subscribe(session, alice.id, subscription("https://updates.push.services.mozilla.com/wpush/v2/x"))
    assert push.subscribed(session, alice.id) == 2
    monkeypatch.setattr(settings, "PUSH_ALLOW_HTTP", True)
    monkeypatch.setattr(settings, "PUSH_SERVICES", ["127.0.0.1"])
    push.subscribe(session, alice.id, subscription("http://127.0.0.1:9/push/a"))


def test_a_browser_belongs_to_whoever_subscribed_it_last_and_each_user_keeps_at_most_20(session, alice, bob):
    push.subscribe(session, alice.id, subscription(GOOGLE + "shared"))
    push.subscribe(session, bob.id, subscription(GOOGLE + "shared"))
    assert (push.subscribed(session, alice.id), push.subscribed(session, bob.id)) == (0, 1)
    for i in range(25):
        push.subscribe(session, alice.id, subscription(GOOGLE + f"device{i}"))
    assert push.subscribed(session, alice.id) == push.PER_USER
    endpoints = set(session.exec(select(PushSubscription.endpoint).where(PushSubscription.user_id == alice.id)))
    assert GOOGLE + "device24" in endpoints and GOOGLE + "device0" not in endpoints
    push.unsubscribe(session, alice.id, GOOGLE + "device24")
    push.unsubscribe(session, alice.id, GOOGLE + "shared")  # bob's: not alice's to remove
    assert (push.subscribed(session, alice.id), push.subscribed(session, bob.id)) == (push.PER_USER - 1, 1)


def test_a_mention_is_pushed_to_the_mentioned_persons_browsers_only(session, alice, bob, carol, general):
    for user, name in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
        push.subscribe(session, user.id, subscription(GOOGLE + name))
    outcome = message_actions.send_message(session, alice.id, general.id, "@bob look, and @alice (me)")
    [event] = outcome.events
    assert event.calls_for_push()
    [delivery] = push.deliveries(session, event)
    assert delivery.endpoint == GOOGLE + "bob"
    notice = json.loads(delivery.payload)
    assert notice == {
        "title": f"alice mentioned you in #{general.name}",
        "body": "@bob look, and @alice (me)",
        "url": f"/rooms/{general.slug}?message={event.message.id}",
        "tag": f"djangochat-{event.message.id}",
    }
    plain = message_actions.send_message(session, alice.id, general.id, "nobody named").events[0]
    assert not plain.calls_for_push() and push.deliveries(session, plain) == []


def test_a_private_rooms_outsider_is_not_pushed_even_when_named(session, alice, bob, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    push.subscribe(session, bob.id, subscription(GOOGLE + "bob"))
    push.subscribe(session, carol.id, subscription(GOOGLE + "carol"))
    event = message_actions.send_message(session, alice.id, secret.id, "@bob and @carol").events[0]
    assert pushed_to(session, event) == {GOOGLE + "bob"}


def test_every_other_member_of_a_direct_conversation_is_pushed(session, alice, bob, carol):
    direct = members.open_direct(session, alice.id, ["bob", "carol"])
    for user, name in ((alice, "alice"), (bob, "bob"), (carol, "carol")):
        push.subscribe(session, user.id, subscription(GOOGLE + name))
    event = message_actions.send_message(session, alice.id, direct.id, "a quiet word").events[0]
    assert event.direct and event.calls_for_push()
    assert pushed_to(session, event) == {GOOGLE + "bob", GOOGLE + "carol"}
    assert json.loads(push.deliveries(session, event)[0].payload)["title"] == "alice (direct message)"
    assert messages.newest_messages(session, direct.id)[-1].body == "a quiet word"


def test_do_not_disturb_holds_a_push_that_an_urgent_direct_message_sends_marked_urgent(session, alice, bob, general):
    from datetime import UTC, datetime, timedelta

    from djangochat_rx.actions import availability as availability_actions
    from djangochat_rx.domain import availability
    from djangochat_rx.domain.events import QuietEnded

    push.subscribe(session, bob.id, subscription(GOOGLE + "bob"))
    availability.set_dnd(session, bob.id, datetime.now(UTC) + timedelta(hours=1))
    dm = members.open_direct(session, alice.id, ["bob"])
    [held] = message_actions.send_message(session, alice.id, dm.id, "lunch?").events
    assert push.deliveries(session, held) == []  # waits for the end of bob's do not disturb
    [urgent] = message_actions.send_message(session, alice.id, dm.id, "the server is down", "u1", urgent=True).events
    [delivery] = push.deliveries(session, urgent)
    assert json.loads(delivery.payload)["title"] == "Urgent: alice (direct message)"
    with pytest.raises(messages.InvalidMessage, match="Only a direct message"):
        message_actions.send_message(session, alice.id, general.id, "@bob now!", "u2", urgent=True)
    # When it ends, one push sums up what waited (the urgent message was not held, but it is unread too).
    availability.set_dnd(session, bob.id, None)
    [summary] = availability_actions.end_quiet(session).events
    assert summary == QuietEnded("bob", 0, 2)
    [pushed] = push.summary_deliveries(session, summary)
    assert json.loads(pushed.payload) == {
        "title": "While you were away",
        "body": "2 direct messages waited while you were not to be disturbed.",
        "url": "/rooms",
        "tag": "djangochat-quiet-ended",
    }
