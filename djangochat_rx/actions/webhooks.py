"""Incoming webhooks: made and revoked by a room's owners, and a POST to one posts as its bot through the
same send path as a person (djangochat_rx/webhooks.py)."""

from sqlmodel import Session

from djangochat_rx import webhooks
from djangochat_rx.actions import Outcome
from djangochat_rx.actions.messages import send_message
from djangochat_rx.messages import MessageView


def create_webhook(db: Session, user_id: int, room_id: int, name: str) -> Outcome[tuple[webhooks.WebhookView, str]]:
    return Outcome(webhooks.create(db, user_id, room_id, name))


def revoke_webhook(db: Session, user_id: int, room_id: int, webhook_id: int) -> Outcome[None]:
    webhooks.revoke(db, user_id, room_id, webhook_id)
    return Outcome(None)


def post_from_webhook(db: Session, poster: webhooks.Poster, text: str) -> Outcome[MessageView]:
    """The webhook's bot says `text` in its room: everyone there sees it, like any message."""
    return send_message(db, poster.bot_user_id, poster.room_id, text)
