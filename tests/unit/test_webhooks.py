"""Incoming webhooks (webhooks.py): who may make them, their bot accounts, tokens, revocation, and the text
taken from plain and Slack-style payloads."""

import pytest
from sqlmodel import select

from djangochat_rx.actions import messages as message_actions
from djangochat_rx.domain import accounts, members, rooms, webhooks
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import AuditEntry, User, Webhook


def test_the_owner_makes_a_webhook_that_posts_as_its_own_bot(session, alice, general):
    view, token = webhooks.create(session, alice.id, general.id, "CI builds")
    assert (view.name, view.bot) == ("CI builds", "ci-builds-webhook")
    assert len(token) >= 43 and session.exec(select(Webhook.token_hash)).one() == hash_token(token)
    bot = session.exec(select(User).where(User.username == "ci-builds-webhook")).one()
    assert bot.is_bot
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "ci-builds-webhook", "")
    poster = webhooks.resolve(session, token)
    message = message_actions.send_message(session, poster.bot_user_id, poster.room_id, "build #12 passed").value
    assert (message.author, message.body, message.room_id) == ("ci-builds-webhook", "build #12 passed", general.id)
    assert webhooks.listed(session, alice.id, general.id)[0].last_used_at != ""
    assert session.exec(select(AuditEntry.action)).all() == ["webhook.create"]
    second, _ = webhooks.create(session, alice.id, general.id, "CI builds")
    assert second.bot == "ci-builds-webhook1"


def test_only_owners_and_admins_make_list_and_revoke_them(session, alice, bob, carol, root, general):
    assert webhooks.create(session, root.id, general.id, "Ops")[0].name == "Ops"  # an admin, in a room they read
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    members.invite(session, alice.id, secret.id, "bob")
    # A member who does not own it, an outsider, an admin outside it: all told it does not exist.
    for user in (bob, carol, root):
        with pytest.raises(rooms.RoomNotFound):
            webhooks.create(session, user.id, secret.id, "mine")
        with pytest.raises(rooms.RoomNotFound):
            webhooks.listed(session, user.id, secret.id)
    view, token = webhooks.create(session, alice.id, secret.id, "Alerts")
    poster = webhooks.resolve(session, token)
    # The bot is a member of the private room, so it may post there.
    assert message_actions.send_message(session, poster.bot_user_id, poster.room_id, "disk 91% full").value.room_id == (
        secret.id
    )
    with pytest.raises(rooms.RoomNotFound):
        webhooks.revoke(session, bob.id, secret.id, view.id)
    webhooks.revoke(session, alice.id, secret.id, view.id)
    with pytest.raises(webhooks.NotFound):
        webhooks.resolve(session, token)
    with pytest.raises(webhooks.NotFound):
        webhooks.revoke(session, alice.id, secret.id, view.id)
    assert webhooks.listed(session, alice.id, secret.id) == []


def test_made_up_tokens_find_nothing(session, alice, general):
    _, token = webhooks.create(session, alice.id, general.id, "Deploys")
    for made_up in ("", "x", token[:-1], token + "x"):
        with pytest.raises(webhooks.NotFound):
            webhooks.resolve(session, made_up)
    with pytest.raises(webhooks.WebhookError):
        webhooks.create(session, alice.id, general.id, "   ")


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ({"text": "build #12 passed"}, "build #12 passed"),
        (
            {
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Deploy"}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": "*api* is live"}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": "by ci"}]},
                ]
            },
            "Deploy\n*api* is live\nby ci",
        ),
        ({"attachments": [{"pretext": "Alert", "title": "CPU", "text": "95%"}]}, "Alert\nCPU\n95%"),
        ({"attachments": [{"fallback": "Build failed", "color": "danger"}]}, "Build failed"),
        ({"text": "", "blocks": [{"type": "section", "fields": [{"text": "a"}, {"text": "b"}]}]}, "a\nb"),
    ],
)
def test_the_text_comes_from_text_blocks_or_attachments(payload, text):
    assert webhooks.text_of(payload) == text


@pytest.mark.parametrize("payload", [{}, {"text": "  "}, {"blocks": []}, [], "text", None, {"attachments": "x"}])
def test_a_payload_without_text_is_refused(payload):
    with pytest.raises(webhooks.NoText):
        webhooks.text_of(payload)
