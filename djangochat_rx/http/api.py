"""The REST API under /api/v1/: what a script or a bot does as an account, with an API token.

Every call carries `Authorization: Bearer <token>` (api_tokens.py), is charged to the budget of the
token's account (API_LIMITS, however many tokens it has; posts, edits, deletions and reactions also to
its sending budget, SEND_LIMITS, as in the browser), and acts as the token's account under access.py's
rules: a room it may not read is "not found", like one that does not exist. Changes go through the same
actions as the browser's (actions/), so everyone in the room sees them live. JSON in and out; the OpenAPI
document is /api/v1/openapi.json and its reference page /api/v1/docs (Swagger UI, served from this
server). The incoming-webhook URL (http/webhooks.py) lives here too, without a token: its secret is in its path.
"""

import base64
import hashlib
from pathlib import Path as FilePath
from typing import Annotated, Any

import swagger_ui
from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from djangochat_rx import db, settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import api_tokens, messages, reactions, rooms, search
from djangochat_rx.domain.api_tokens import Caller
from djangochat_rx.http import doors
from djangochat_rx.http import webhooks as incoming_webhooks
from djangochat_rx.infra import throttle

PREFIX = "/api/v1"


class Problem(BaseModel):
    """Every refusal: a sentence safe to show."""

    detail: str


class ReactionOut(BaseModel):
    emoji: str
    count: int
    users: list[str] = Field(description="The first few who reacted, in order.")


class MessageOut(BaseModel):
    id: int
    seq: int = Field(description="The message's number in its room: 1, 2, 3, ... (the cursor for `after`).")
    author: str
    text: str = Field(description="As typed (Markdown); empty for a deleted message.")
    html: str = Field(description="The sanitised HTML the room shows.")
    created_at: str = Field(description="ISO 8601, UTC.")
    edited: bool
    deleted: bool
    mentions: list[str]
    reactions: list[ReactionOut]


class RoomOut(BaseModel):
    slug: str
    name: str
    description: str
    kind: str = Field(description='"public", "private" or "dm" (a direct conversation).')
    archived: bool
    last_seq: int = Field(description="The seq of the room's newest message (0: none yet).")


class MessagePage(BaseModel):
    messages: list[MessageOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null when there is none yet.")


class NewMessage(BaseModel):
    text: str = Field(description="Markdown; @name mentions someone.", examples=["build #12 passed"])
    idempotency_key: str = Field(
        "",
        max_length=64,
        description="Your random id for this message: a retry under the same key posts nothing new "
        "(the Idempotency-Key header does the same).",
    )


class EditedMessage(BaseModel):
    text: str


class HitOut(BaseModel):
    message_id: int
    room: str = Field(description="The room's slug.")
    room_name: str
    author: str
    created_at: str
    snippet: str = Field(description="HTML: the text around the matches, escaped, matches in <mark>.")


class WhoAmI(BaseModel):
    username: str
    scopes: list[str]


class WebhookPosted(BaseModel):
    ok: bool
    id: int
    seq: int


_REFUSALS: dict[int, dict[str, Any]] = {
    status: {"model": Problem, "description": text}
    for status, text in {
        401: "No valid token",
        403: "The token lacks the scope",
        404: "No such room or message (or none this token may see)",
        422: "The request is not valid",
        429: "Too many calls (or changes) for this token's account",
    }.items()
}

api = FastAPI(
    title="DjangoChat RX API",
    version="1",
    description=__doc__,
    docs_url=None,
    redoc_url=None,
    openapi_url="/openapi.json",
    responses=_REFUSALS,
    # endpoints.BodyBudget holds each route to its own budget first; this is FastAPI's, as a second wall.
    max_body_size=max(doors.API_BODY_BYTES, settings.WEBHOOK_MAX_BYTES),
)


class Refused(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


@api.exception_handler(Refused)
async def _refused(_request: Request, error: Refused) -> JSONResponse:
    return JSONResponse({"detail": error.detail}, status_code=error.status, headers=error.headers)


_STATUS: list[tuple[type[Exception], int]] = [
    (api_tokens.NotAuthenticated, 401),
    (api_tokens.MissingScope, 403),
    (rooms.RoomNotFound, 404),
    (messages.MessageNotFound, 404),
    (throttle.Throttled, 429),
    (messages.NotAllowed, 403),
    (messages.InvalidMessage, 422),
    (reactions.ReactionError, 422),
    (search.InvalidSearch, 422),
]


async def _call(fn, *args):
    """Run an action (or a query) and turn its named errors into the API's answers."""
    try:
        return await fn(*args)
    except tuple(kind for kind, _ in _STATUS) as error:
        status = next(code for kind, code in _STATUS if isinstance(error, kind))
        raise Refused(status, str(error)) from None


_CALLER = "djangochat.api_caller"


async def _authenticate(authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    try:
        return await db.run(api_tokens.authenticate, token.strip() if scheme.lower() == "bearer" else "")
    except api_tokens.NotAuthenticated as error:
        raise Refused(401, str(error), {"WWW-Authenticate": "Bearer"}) from None


async def _caller(request: Request, authorization: Annotated[str, Header(description="Bearer <token>")] = "") -> Caller:
    caller = request.scope.get(_CALLER) or await _authenticate(authorization)
    await _call(throttle.before_api_call, caller.user_id)
    return caller


class KnownBeforeTheBody:
    """The API with its caller known before a body is read: FastAPI reads and parses a request's body before
    it runs any dependency, so a stranger's body would be taken whole before the 401. Here a call that may
    carry one (all but the webhook URL, whose secret path webhooks.incoming resolves first) has its token
    resolved first, and a stranger is answered 401 with no byte of the body read."""

    _BODIES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, app: FastAPI) -> None:
        self.app, self.routes = app, app.routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        webhook = scope.get("path", "").removeprefix(PREFIX).startswith("/webhooks/")
        if scope["type"] == "http" and scope["method"] in self._BODIES and not webhook:
            try:
                scope[_CALLER] = await _authenticate(Headers(scope=scope).get("authorization", ""))
            except Refused as error:
                await (await _refused(None, error))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _scoped(scope: str):
    async def check(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
        try:
            caller.require(scope)
        except api_tokens.MissingScope as error:
            raise Refused(403, str(error)) from None
        return caller

    return check


Reader = Annotated[Caller, Depends(_scoped("read"))]
Poster = Annotated[Caller, Depends(_scoped("post"))]
Slug = Annotated[str, Path(max_length=200)]
MessageId = Annotated[int, Path(ge=1)]


def _message(message: messages.MessageView) -> MessageOut:
    return MessageOut(
        id=message.id,
        seq=message.seq,
        author=message.author,
        text=message.body,
        html=message.html,
        created_at=message.created_at,
        edited=message.edited,
        deleted=message.deleted,
        mentions=list(message.mentions),
        reactions=[ReactionOut(emoji=r.emoji, count=r.count, users=list(r.users)) for r in message.reactions],
    )


@api.get("/me", tags=["account"], summary="Who this token acts as")
async def who_am_i(caller: Annotated[Caller, Depends(_caller)]) -> WhoAmI:
    return WhoAmI(username=caller.username, scopes=list(caller.scopes))


@api.get("/rooms", tags=["rooms"], summary="The rooms I may read")
async def list_rooms(caller: Reader) -> list[RoomOut]:
    found = await db.run(rooms.readable_rooms, caller.user_id)
    return [
        RoomOut(
            slug=room.slug,
            name=room.name,
            description=room.description,
            kind=room.kind,
            archived=room.archived,
            last_seq=room.message_count,
        )
        for room in found
    ]


def _page(session, user_id: int, slug: str, after: int, limit: int) -> list[messages.MessageView]:
    return messages.messages_after_seq(session, rooms.open_room(session, user_id, slug).id, after, limit)


@api.get("/rooms/{slug}/messages", tags=["messages"], summary="A room's messages after a seq, oldest first")
async def read_messages(
    caller: Reader,
    slug: Slug,
    after: Annotated[int, Query(ge=0, description="Messages with seq greater than this (0: from the start).")] = 0,
    limit: Annotated[int, Query(ge=1, le=settings.API_PAGE_MAX)] = 50,
) -> MessagePage:
    found = await _call(db.run, _page, caller.user_id, slug, after, limit)
    return MessagePage(
        messages=[_message(message) for message in found],
        next_after=found[-1].seq if len(found) == limit else None,
    )


def _client_id(key: str) -> str:
    """The client id an Idempotency-Key is stored under: its SHA-256, so a key of any length up to 64 is kept
    whole in the 64-character column (a browser's own ids never start with "api:")."""
    digest = hashlib.sha256(key.encode()).digest()
    return "api:" + base64.urlsafe_b64encode(digest).decode().rstrip("=") if key else ""


def _post(session, user_id: int, slug: str, text: str, key: str):
    return message_actions.send_message(session, user_id, rooms.open_room(session, user_id, slug).id, text, key)


@api.post("/rooms/{slug}/messages", tags=["messages"], status_code=201, summary="Post a message (live in the room)")
async def post_message(
    caller: Poster,
    slug: Slug,
    message: NewMessage,
    idempotency_key: Annotated[str, Header(max_length=64)] = "",
) -> MessageOut:
    key = message.idempotency_key or idempotency_key
    await _call(throttle.before_send, caller.user_id)
    posted = await _call(perform, _post, caller.user_id, slug, message.text, _client_id(key))
    return _message(posted)


@api.patch("/messages/{message_id}", tags=["messages"], summary="Edit my own message (within the edit window)")
async def edit_message(caller: Poster, message_id: MessageId, edited: EditedMessage) -> MessageOut:
    await _call(throttle.before_send, caller.user_id)
    changed = await _call(perform, message_actions.edit_message, caller.user_id, None, message_id, edited.text)
    return _message(changed)


@api.delete(
    "/messages/{message_id}",
    tags=["messages"],
    status_code=204,
    summary="Delete my own message (within the edit window)",
)
async def delete_message(caller: Poster, message_id: MessageId) -> Response:
    await _call(throttle.before_send, caller.user_id)
    await _call(perform, message_actions.delete_message, caller.user_id, None, message_id)
    return Response(status_code=204)


Emoji = Annotated[str, Path(max_length=64, description="The emoji itself, URL-encoded (👍 is %F0%9F%91%8D).")]


@api.put("/messages/{message_id}/reactions/{emoji}", tags=["reactions"], summary="Add my reaction")
async def add_reaction(caller: Poster, message_id: MessageId, emoji: Emoji) -> MessageOut:
    await _call(throttle.before_send, caller.user_id)
    await _call(perform, message_actions.react, caller.user_id, message_id, emoji, None, True)
    return _message(await db.run(messages.message_view, message_id))


@api.delete("/messages/{message_id}/reactions/{emoji}", tags=["reactions"], summary="Take my reaction back")
async def remove_reaction(caller: Poster, message_id: MessageId, emoji: Emoji) -> MessageOut:
    await _call(throttle.before_send, caller.user_id)
    await _call(perform, message_actions.react, caller.user_id, message_id, emoji, None, False)
    return _message(await db.run(messages.message_view, message_id))


@api.get("/search", tags=["search"], summary="Search the messages I may read")
async def search_messages(
    caller: Reader,
    q: Annotated[str, Query(min_length=1, max_length=200, description='Words, "a phrase", from:name, in:room.')],
    limit: Annotated[int, Query(ge=1, le=settings.SEARCH_RESULTS)] = 20,
) -> list[HitOut]:
    await _call(throttle.before_search, caller.user_id)
    hits = await _call(db.run, search.search, caller.user_id, q, limit)
    return [
        HitOut(
            message_id=hit.message_id,
            room=hit.room_slug,
            room_name=hit.room_name,
            author=hit.author,
            created_at=hit.created_at,
            snippet=hit.snippet,
        )
        for hit in hits
    ]


@api.post(
    "/webhooks/{token}",
    tags=["webhooks"],
    summary="Post through an incoming webhook (no API token: the secret is the URL)",
    response_model=WebhookPosted,
    responses={400: {"model": Problem, "description": "No text in the payload"}, 413: {"model": Problem}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string"},
                            "blocks": {"type": "array", "items": {"type": "object"}},
                            "attachments": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                    "example": {"text": "build #12 passed"},
                }
            },
        }
    },
)
async def post_to_webhook(token: Annotated[str, Path(max_length=200)], request: Request) -> JSONResponse:
    return await incoming_webhooks.incoming(request)


# The reference page: Swagger UI 5 from the swagger-ui-py package's files, no CDN and no inline script.
_SWAGGER_FILES = FilePath(swagger_ui.__file__).parent / "static"
api.mount("/docs/assets", StaticFiles(directory=_SWAGGER_FILES), name="swagger-assets")
_DOCS_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DjangoChat RX API</title>
<link rel="stylesheet" href="{PREFIX}/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{PREFIX}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{PREFIX}/docs/start.js"></script></body></html>"""
_DOCS_START = f'SwaggerUIBundle({{url: "{PREFIX}/openapi.json", dom_id: "#swagger-ui"}});\n'


@api.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return HTMLResponse(_DOCS_PAGE)


@api.get("/docs/start.js", include_in_schema=False)
async def docs_start() -> PlainTextResponse:
    return PlainTextResponse(_DOCS_START, media_type="text/javascript")


def http_routes() -> list:
    """The REST API (and the webhook URL) at /api/v1, for endpoints.py."""
    from starlette.routing import Mount

    return [Mount(PREFIX, KnownBeforeTheBody(api))]
