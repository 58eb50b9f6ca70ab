"""File downloads over plain HTTP: one-time tickets, and the route that streams an export for one.

The session token lives in the browser's localStorage, so a download link carries no credentials.
Instead an event handler, which knows the session, asks `issue` for a ticket: 32 random bytes, good
for one download of one export for one user's session, within DOWNLOAD_TICKET_SECONDS (settings).
The route redeems it (a second request with the same ticket gets 404), checks again that the session is live and that
the user may still export it (export.py and admin.py decide), and streams the JSON.

Tickets live in this process's memory, or in Redis when REDIS_URL is set, so that a ticket made on
one worker can be redeemed on another. Either way only their SHA-256 is kept.
"""

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache

import redis.asyncio as redis
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import admin, export, rooms, sessions

# Long enough for the browser to follow the link it was just given, short enough that a leaked
# link (a proxy log, a browser history) is useless.
PATH = "/_download/{ticket}"
_REDIS_KEY = "djangochat:download:"


@dataclass(frozen=True)
class Grant:
    """What a ticket lets its bearer download: the export of `room_id` (None: the user's own messages)."""

    user_id: int
    session_id: int
    filename: str
    room_id: int | None = None


def path(ticket: str) -> str:
    """The route's path for `ticket`."""
    return PATH.format(ticket=ticket)


def _key(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


# In-process tickets (no Redis): key -> (monotonic expiry, grant).
_tickets: dict[str, tuple[float, Grant]] = {}


@cache
def _redis() -> redis.Redis:
    return redis.from_url(settings.REDIS_URL)


async def issue(grant: Grant) -> str:
    """A fresh ticket for `grant`, valid once within settings.DOWNLOAD_TICKET_SECONDS."""
    ticket = secrets.token_urlsafe(32)
    if settings.REDIS_URL:
        await _redis().set(_REDIS_KEY + _key(ticket), json.dumps(asdict(grant)), ex=settings.DOWNLOAD_TICKET_SECONDS)
        return ticket
    now = time.monotonic()
    for key in [key for key, (expires, _) in _tickets.items() if expires <= now]:
        del _tickets[key]
    _tickets[_key(ticket)] = (now + settings.DOWNLOAD_TICKET_SECONDS, grant)
    return ticket


async def redeem(ticket: str) -> Grant | None:
    """The grant of an unused, unexpired ticket, which is used up by this; None otherwise."""
    if settings.REDIS_URL:
        value = await _redis().getdel(_REDIS_KEY + _key(ticket))
        return Grant(**json.loads(value)) if value else None
    expires, grant = _tickets.pop(_key(ticket), (0.0, None))
    return grant if expires > time.monotonic() else None


def _open(db: Session, grant: Grant) -> Iterator[str]:
    """The export `grant` names, if its session is still live and its user may still have it."""
    if grant.session_id not in {live.id for live in sessions.active_sessions(db, grant.user_id)}:
        raise export.ExportRefused()
    if grant.room_id is None:
        return export.own_messages(db, grant.user_id)
    return export.room_messages(db, grant.user_id, grant.room_id)


def _closing(db: Session, chunks: Iterator[str]) -> Iterator[str]:
    """`chunks`, then the session closed (also when the client goes away mid-download)."""
    with db:
        yield from chunks


async def download(request: Request) -> Response:
    """GET PATH: redeem the ticket and stream its export as a JSON attachment."""
    grant = await redeem(request.path_params["ticket"])
    if grant is None:
        return PlainTextResponse("This download link has expired or was already used.", status_code=404)
    db = database.session()
    try:
        chunks = await asyncio.to_thread(_open, db, grant)
    except (export.ExportRefused, admin.NotAdmin, rooms.RoomNotFound) as refused:
        db.close()
        if isinstance(refused, rooms.RoomNotFound):
            return PlainTextResponse(str(refused), status_code=404)
        return PlainTextResponse("Your session has ended, or you may no longer download this.", status_code=403)
    return StreamingResponse(
        _closing(db, chunks),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{grant.filename}"',
            "Cache-Control": "no-store",
        },
    )


def http_routes() -> list[Route]:
    """The export download route, for endpoints.py."""
    return [Route(PATH, download, methods=["GET"])]
