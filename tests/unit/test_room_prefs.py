"""Notification levels and mute per room (room_prefs.py), and how push, email and browser notices obey them."""

from datetime import timedelta

import pytest

from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import account_links, members, messages, room_prefs, rooms
from djangochat_rx.models import utcnow
from djangochat_rx.notify import notices, push

GOOGLE = "https://fcm.googleapis.com/fcm/send/"


def subscribe(session, *users) -> None:
    for user in users:
        push.subscribe(
            session, user.id, {"endpoint": GOOGLE + user.username, "keys": {"p256dh": "B" * 87, "auth": "a" * 22}}
        )


def pushed(session, outcome) -> set[str]:
    return {d.endpoint.removeprefix(GOOGLE) for d in push.deliveries(session, outcome.events[0])}


def test_rooms_default_to_mentions_and_direct_conversations_to_everything(session, alice, bob, general):
    direct = members.open_direct(session, alice.id, ["bob"])
    assert room_prefs.prefs(session, bob.id, general.id, general.kind) == room_prefs.Prefs("mentions", False)
    assert room_prefs.prefs(session, bob.id, direct.id, direct.kind) == room_prefs.Prefs("all", False)
    assert room_prefs.set_prefs(session, bob.id, general.id, "all", True) == room_prefs.Prefs("all", True)
    assert room_prefs.prefs(session, bob.id, general.id, general.kind) == room_prefs.Prefs("all", True)
    assert room_prefs.muted_slugs(session, bob.id) == [general.slug]
    with pytest.raises(room_prefs.InvalidLevel):
        room_prefs.set_prefs(session, bob.id, general.id, "loud", False)


def test_an_outsider_cannot_set_prefs_of_a_private_room(session, alice, carol):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    with pytest.raises(rooms.RoomNotFound):
        room_prefs.set_prefs(session, carol.id, secret.id, "all", False)
    assert room_prefs.muted_slugs(session, carol.id) == []


def test_push_follows_each_persons_level(session, alice, bob, carol, general):
    subscribe(session, alice, bob, carol)
    assert pushed(session, message_actions.send_message(session, alice.id, general.id, "no names")) == set()
    room_prefs.set_prefs(session, carol.id, general.id, "all", False)
    assert pushed(session, message_actions.send_message(session, alice.id, general.id, "no names")) == {"carol"}
    assert pushed(session, message_actions.send_message(session, alice.id, general.id, "@bob hi")) == {"bob", "carol"}
    room_prefs.set_prefs(session, bob.id, general.id, "nothing", False)
    room_prefs.set_prefs(session, carol.id, general.id, "all", True)  # muted wins over "all"
    assert pushed(session, message_actions.send_message(session, alice.id, general.id, "@bob @carol hi")) == set()


def test_a_muted_direct_conversation_stays_quiet(session, alice, bob):
    subscribe(session, bob)
    direct = members.open_direct(session, alice.id, ["bob"])
    assert pushed(session, message_actions.send_message(session, alice.id, direct.id, "psst")) == {"bob"}
    room_prefs.set_prefs(session, bob.id, direct.id, "all", True)
    assert pushed(session, message_actions.send_message(session, alice.id, direct.id, "psst again")) == set()


def test_the_browser_notice_skips_the_quiet_but_the_mention_is_still_marked(session, alice, bob, carol, general):
    room_prefs.set_prefs(session, bob.id, general.id, "mentions", True)
    [event] = message_actions.send_message(session, alice.id, general.id, "@bob @carol look").events
    assert set(event.mentioned) == {"bob", "carol"} and event.quiet == ("bob",)


def test_no_email_about_a_room_one_muted_or_hears_nothing_of(session, alice, bob, general):
    link = account_links.request_verify(session, bob.id, "bob@example.org")
    account_links.verify_email(session, link.token)
    messages.post_message(session, general.id, alice.id, "@bob look")
    soon = utcnow() + timedelta(minutes=11)
    assert len(notices.due(session, soon)) == 1
    room_prefs.set_prefs(session, bob.id, general.id, "nothing", False)
    assert notices.due(session, soon) == []
    room_prefs.set_prefs(session, bob.id, general.id, "mentions", True)
    assert notices.due(session, soon) == []
    room_prefs.set_prefs(session, bob.id, general.id, "mentions", False)
    assert len(notices.due(session, soon)) == 1
