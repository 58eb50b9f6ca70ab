"""Incoming webhooks, made and revoked by a room's owners (a POST to one posts as its bot through the same
send action as a person's message: http/webhooks.incoming). Nothing live changes, so they have no events."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import webhooks


def create_webhook(db: Session, user_id: int, room_id: int, name: str) -> Outcome[tuple[webhooks.WebhookView, str]]:
    return Outcome(webhooks.create(db, user_id, room_id, name))


def revoke_webhook(db: Session, user_id: int, room_id: int, webhook_id: int) -> Outcome[None]:
    webhooks.revoke(db, user_id, room_id, webhook_id)
    return Outcome(None)
