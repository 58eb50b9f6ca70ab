"""Incoming webhooks: a room's owner makes a secret URL; POSTing JSON to it posts into the room.

`curl -X POST -H 'Content-Type: application/json' -d '{"text": "build #12 passed"}' <url>` posts
"build #12 passed" as the webhook's bot account. Slack's payloads work too: `text`, else the text of
`blocks` (sections, headers, context) and `attachments` (pretext, title, text, fallback), so existing
integrations can point at it. Each webhook has its own bot account (a user that never logs in, shown
as a bot, named "<name>-webhook" and without a password) and a random 256-bit token (only its SHA-256
is stored), is listed and revocable by the room's owners, rate-limited (WEBHOOK_LIMITS), and every
creation and revocation is in the audit log. A room has at most WEBHOOKS_PER_ROOM, and a webhook works
only while its bot is enabled and its maker still owns the room (or is an administrator) and is enabled.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, accounts
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import Room, RoomMember, User, Webhook, as_utc, utcnow

PATH = "/api/v1/webhooks/{token}"


class WebhookError(Exception):
    """A webhook that cannot be made or used as asked; the message is safe to show (or to answer with)."""


class NotFound(WebhookError):
    """An unknown or revoked webhook: the same answer either way."""

    def __init__(self) -> None:
        super().__init__("No such webhook.")


class NoText(WebhookError):
    def __init__(self) -> None:
        super().__init__('Send JSON with a "text" (or Slack-style "blocks" or "attachments").')


@dataclass(frozen=True)
class WebhookView:
    """A webhook as its room's owners see it (never its token); times are ISO 8601 in UTC."""

    id: int
    name: str
    bot: str
    created_at: str
    last_used_at: str


def _managed_kind(db: Session, user_id: int | None, room_id: int) -> str | None:
    """The room's kind if `user_id` may have webhooks in it: an active owner of it (not a direct conversation),
    or an administrator who can read it; None otherwise. A webhook works only while its maker still may."""
    kind = db.exec(select(Room.kind).where(Room.id == room_id, access.readable(user_id))).first()
    active = db.exec(select(User.is_active).where(User.id == user_id)).first()
    owner = kind != access.DM and bool(active) and access.is_owner(db, user_id, room_id)
    return kind if kind is not None and (owner or accounts.is_admin(db, user_id)) else None


def _require_owner(db: Session, user_id: int, room_id: int) -> str:
    """The room's kind, if `user_id` owns it (or is an administrator); RoomNotFound otherwise, like a room
    that does not exist (its existence is none of an outsider's business)."""
    kind = _managed_kind(db, user_id, room_id)
    if kind is None:
        db.rollback()
        raise RoomNotFound()
    return kind


def _bot_name(db: Session, name: str) -> str:
    """A free username for a webhook's bot, from its name ("CI builds" -> "ci-builds-webhook"). It never ends
    in "-bot", the suffix of the hooks' bots (hooks.py), so a webhook cannot take a hook's name before its
    module is enabled."""
    base = accounts.bot_username(name, "incoming", accounts.WEBHOOK_BOT_SUFFIX)
    for n in range(100):
        candidate = f"{base}{n or ''}"
        if not accounts.user_exists(db, candidate):
            return candidate
    return f"{secrets.token_hex(4)}-webhook"


def _view(hook: Webhook, bot: str) -> WebhookView:
    used = as_utc(hook.last_used_at).isoformat() if hook.last_used_at else ""
    return WebhookView(hook.id, hook.name, bot, as_utc(hook.created_at).isoformat(), used)


class TooMany(WebhookError):
    def __init__(self) -> None:
        super().__init__(f"A room has at most {settings.WEBHOOKS_PER_ROOM} webhooks: revoke one first.")


def create(db: Session, user_id: int, room_id: int, name: str) -> tuple[WebhookView, str]:
    """A new webhook for a room the user owns (at most WEBHOOKS_PER_ROOM working ones), posting as a new bot
    account named after it, which has no password (accounts.NO_PASSWORD: no bcrypt work): its view and its
    token (shown once)."""
    name = " ".join(name.split())[:64]
    if not name:
        raise WebhookError("Give the webhook a name (it is also the name it posts under).")
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    database.begin_write(db)
    kind = _require_owner(db, user_id, room_id)
    working = select(func.count()).where(Webhook.room_id == room_id, col(Webhook.revoked_at).is_(None))
    if db.exec(working).one() >= settings.WEBHOOKS_PER_ROOM:
        db.rollback()
        raise TooMany()
    bot_name = _bot_name(db, name)
    bot = accounts.insert_user(db, bot_name, accounts.unusable_password_hash(), is_bot=True)
    if kind != access.PUBLIC:
        db.add(RoomMember(room_id=room_id, user_id=bot.id, role="member"))
    hook = Webhook(room_id=room_id, bot_user_id=bot.id, name=name, token_hash=hash_token(token), created_by_id=user_id)
    db.add(hook)
    db.flush()
    audit(db, user_id, "webhook.create", f"room:{room_id}", f"“{name}” posts as {bot_name}")
    db.commit()
    return _view(hook, bot_name), token


def listed(db: Session, user_id: int, room_id: int) -> list[WebhookView]:
    """The room's webhooks that still work, newest first (its owners only)."""
    _require_owner(db, user_id, room_id)
    rows = db.exec(
        select(Webhook, User.username)
        .join(User, col(User.id) == Webhook.bot_user_id)
        .where(Webhook.room_id == room_id, col(Webhook.revoked_at).is_(None))
        .order_by(col(Webhook.created_at).desc(), col(Webhook.id).desc())
    ).all()
    db.rollback()
    return [_view(hook, bot) for hook, bot in rows]


def revoke(db: Session, user_id: int, room_id: int, webhook_id: int) -> None:
    """Stop a webhook at once: its URL answers like one that never existed."""
    database.begin_write(db)
    _require_owner(db, user_id, room_id)
    hook = db.exec(select(Webhook).where(Webhook.id == webhook_id, Webhook.room_id == room_id)).first()
    if hook is None or hook.revoked_at is not None:
        db.rollback()
        raise NotFound()
    hook.revoked_at = utcnow()
    audit(db, user_id, "webhook.revoke", f"room:{room_id}", f"“{hook.name}”")
    db.commit()


@dataclass(frozen=True)
class Poster:
    """Who a webhook posts as, and where."""

    webhook_id: int
    bot_user_id: int
    room_id: int


def resolve(db: Session, token: str) -> Poster:
    """The webhook behind a token, its use recorded; NotFound for an unknown or revoked one, and for one whose
    bot was disabled or whose maker no longer may have it (left the room, no longer owns it, disabled)."""
    hook = (
        db.exec(
            select(Webhook)
            .join(User, col(User.id) == Webhook.bot_user_id)
            .where(Webhook.token_hash == hash_token(token), col(Webhook.revoked_at).is_(None), col(User.is_active))
        ).first()
        if token
        else None
    )
    if hook is None or _managed_kind(db, hook.created_by_id, hook.room_id) is None:
        db.rollback()
        raise NotFound()
    poster = Poster(hook.id, hook.bot_user_id, hook.room_id)
    database.begin_write(db)
    db.execute(update(Webhook).where(col(Webhook.id) == poster.webhook_id).values(last_used_at=utcnow()))
    db.commit()
    return poster


def _texts(value: Any) -> list[str]:
    """The text of a Slack block or attachment, however nested (text objects, fields, elements)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    for key in ("pretext", "title", "text", "fields", "elements"):
        if key in value:
            found += _texts(value[key])
    return found


def text_of(payload: Any) -> str:
    """The message a webhook payload carries: `text`, else the text of its `blocks`, else of its
    `attachments` (each attachment's own text, or its `fallback`); NoText when there is none."""
    if not isinstance(payload, dict):
        raise NoText()
    text = payload.get("text")
    if isinstance(text, str) and text.strip():
        return text
    parts = _texts(payload.get("blocks", []))
    if not parts:
        for attachment in payload.get("attachments", []) if isinstance(payload.get("attachments"), list) else []:
            own = _texts(attachment)
            fallback = attachment.get("fallback") if isinstance(attachment, dict) else None
            parts += own or ([fallback] if isinstance(fallback, str) else [])
    joined = "\n".join(part for part in parts if part.strip())
    if not joined.strip():
        raise NoText()
    return joined
