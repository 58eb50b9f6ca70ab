"""The incoming-webhook URL, POST /api/v1/webhooks/<token> (routed by api.py): its secret path is resolved
before a byte of the body is read, the body is read up to WEBHOOK_MAX_BYTES, and its text is posted as the
webhook's bot through the same send action as a person's message (domain/webhooks.py has the rules)."""

import json
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import messages, webhooks
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.infra import throttle


def answer(status: int, **body) -> JSONResponse:
    return JSONResponse({"ok": status == 200, **body}, status_code=status)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it is over `limit` bytes (the rest is never read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def incoming(request: Request) -> JSONResponse:
    """POST /api/v1/webhooks/<token> (api.py routes it): post the payload's text as the webhook's bot. 404
    for an unknown or revoked token (whatever the payload: it is resolved before the body is read), 413 past
    WEBHOOK_MAX_BYTES (read no further), 400 for no text (or JSON nested too deep to read), 429 when over
    WEBHOOK_LIMITS."""
    try:
        poster = await database.run(webhooks.resolve, request.path_params["token"])
    except webhooks.NotFound as error:
        return answer(404, error=str(error))
    body = await _body(request, settings.WEBHOOK_MAX_BYTES)
    if body is None:
        return answer(413, error=f"The payload is over {settings.WEBHOOK_MAX_BYTES} bytes.")
    try:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = parse_qs(body.decode()).get("payload", [""])[0].encode()  # Slack's older form
        text = webhooks.text_of(json.loads(body))
        await throttle.before_webhook(poster.webhook_id)
        message = await perform(message_actions.send_message, poster.bot_user_id, poster.room_id, text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return answer(400, error="The body is not JSON.")
    except (webhooks.NoText, messages.InvalidMessage) as error:
        return answer(400, error=str(error))
    except RoomNotFound:
        return answer(404, error=str(webhooks.NotFound()))
    except throttle.Throttled as error:
        return answer(429, error=str(error))
    return answer(200, id=message.id, seq=message.seq)
