"""Incoming webhooks: a room's owner makes a secret URL; POSTing JSON to it posts into the room.

`curl -X POST -H 'Content-Type: application/json' -d '{"text": "build #12 passed"}' <url>` posts
"build #12 passed" as the webhook's bot account. Slack's payloads work too: `text`, else the text of
`blocks` (sections, headers, context) and `attachments` (pretext, title, text, fallback), so existing
integrations can point at it. Each webhook has its own bot account (a user that never logs in, shown
as a bot) and a random 256-bit token (only its SHA-256 is stored), is listed and revocable by the
room's owners, rate-limited (WEBHOOK_LIMITS), and every creation and revocation is in the audit log.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from djangochat_rx import access, accounts, settings
from djangochat_rx import admin as administration
from djangochat_rx import db as database
from djangochat_rx.models import Room, RoomMember, User, Webhook, as_utc, utcnow
from djangochat_rx.rooms import RoomNotFound
from djangochat_rx.sessions import hash_token

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


def _require_owner(db: Session, user_id: int, room_id: int) -> str:
    """The room's kind, if `user_id` owns it (or is an administrator); RoomNotFound otherwise, like a room
    that does not exist (its existence is none of an outsider's business)."""
    kind = db.exec(select(Room.kind).where(Room.id == room_id, access.readable(user_id))).first()
    owner = kind is not None and kind != access.DM and access.is_owner(db, user_id, room_id)
    if kind is None or not (owner or accounts.is_admin(db, user_id)):
        db.rollback()
        raise RoomNotFound()
    return kind


def _bot_name(db: Session, name: str) -> str:
    """A free username for a webhook's bot, from its name ("CI builds" -> "ci-builds-bot")."""
    base = accounts.bot_username(name, "webhook")
    for n in range(100):
        candidate = f"{base}{n or ''}"
        if not accounts.user_exists(db, candidate):
            return candidate
    return f"webhook-{secrets.token_hex(4)}-bot"


def _view(hook: Webhook, bot: str) -> WebhookView:
    used = as_utc(hook.last_used_at).isoformat() if hook.last_used_at else ""
    return WebhookView(hook.id, hook.name, bot, as_utc(hook.created_at).isoformat(), used)


def create(db: Session, user_id: int, room_id: int, name: str) -> tuple[WebhookView, str]:
    """A new webhook for a room the user owns, posting as a new bot account named after it: its view and
    its token (shown once)."""
    name = " ".join(name.split())[:64]
    if not name:
        raise WebhookError("Give the webhook a name (it is also the name it posts under).")
    kind = _require_owner(db, user_id, room_id)
    bot_name = _bot_name(db, name)
    db.rollback()
    password_hash = accounts.unusable_password_hash()
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    database.begin_write(db)
    _require_owner(db, user_id, room_id)
    bot = accounts.insert_user(db, bot_name, password_hash, is_bot=True)
    if kind != access.PUBLIC:
        db.add(RoomMember(room_id=room_id, user_id=bot.id, role="member"))
    hook = Webhook(room_id=room_id, bot_user_id=bot.id, name=name, token_hash=hash_token(token), created_by_id=user_id)
    db.add(hook)
    db.flush()
    administration.audit(db, user_id, "webhook.create", f"room:{room_id}", f"“{name}” posts as {bot_name}")
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
    administration.audit(db, user_id, "webhook.revoke", f"room:{room_id}", f"“{hook.name}”")
    db.commit()


@dataclass(frozen=True)
class Poster:
    """Who a webhook posts as, and where."""

    webhook_id: int
    bot_user_id: int
    room_id: int


def resolve(db: Session, token: str) -> Poster:
    """The webhook behind a token (NotFound for an unknown or revoked one), its use recorded."""
    hook = (
        db.exec(
            select(Webhook).where(Webhook.token_hash == hash_token(token), col(Webhook.revoked_at).is_(None))
        ).first()
        if token
        else None
    )
    if hook is None:
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


async def incoming(request):
    """POST /api/v1/webhooks/<token> (api.py routes it): post the payload's text as the webhook's bot. 404
    for an unknown or revoked token (whatever the payload), 400 for no text, 413 for too big, 429 when over
    WEBHOOK_LIMITS."""
    import json
    from urllib.parse import parse_qs

    from starlette.responses import JSONResponse

    from djangochat_rx import messages, throttle
    from djangochat_rx.actions import perform
    from djangochat_rx.actions import webhooks as webhook_actions

    def answer(status: int, **body) -> JSONResponse:
        return JSONResponse({"ok": status == 200, **body}, status_code=status)

    body = await request.body()
    try:
        poster = await database.run(resolve, request.path_params["token"])
    except NotFound as error:
        return answer(404, error=str(error))
    if len(body) > settings.WEBHOOK_MAX_BYTES:
        return answer(413, error=f"The payload is over {settings.WEBHOOK_MAX_BYTES} bytes.")
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = parse_qs(body.decode()).get("payload", [""])[0].encode()  # Slack's older form
        text = text_of(json.loads(body))
        await throttle.before_webhook(poster.webhook_id)
        message = await perform(webhook_actions.post_from_webhook, poster, text)
    except (ValueError, UnicodeDecodeError):
        return answer(400, error="The body is not JSON.")
    except (NoText, messages.InvalidMessage) as error:
        return answer(400, error=str(error))
    except RoomNotFound:
        return answer(404, error=str(NotFound()))
    except throttle.Throttled as error:
        return answer(429, error=str(error))
    return answer(200, id=message.id, seq=message.seq)
