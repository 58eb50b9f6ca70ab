"""Our HTTP endpoints in front of Reflex's backend (the rx.App api_transformer): file uploads and bytes,
export downloads, one-click unsubscribe and the REST API, in one router; every HTTP answer gets the
security headers (headers.py), and the built pages their preload hints and caching (page_assets.py).

Websockets skip the router: a socket lives for hours, and every ASGI layer it passes through keeps a
coroutine frame alive for that long (five routers of ours cost ~18 KB per open tab, docs/benchmarks.md).
"""

import asyncio
import json
import logging
from collections import Counter

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from djangochat_rx.http import api, doors, downloads, files, imports, sso, unsubscribe
from djangochat_rx.http.headers import SecurityHeaders
from djangochat_rx.http.page_assets import PageAssets
from djangochat_rx.infra import throttle

logger = logging.getLogger(__name__)


def http_routes() -> list[BaseRoute]:
    """Every HTTP route of ours, in front of Reflex's."""
    return [
        *downloads.http_routes(),
        *imports.http_routes(),
        *files.http_routes(),
        *unsubscribe.http_routes(),
        *sso.http_routes(),
        *api.http_routes(),
    ]


def with_endpoints(backend: ASGIApp) -> ASGIApp:
    """The Reflex backend behind our routes; its websocket reached with no layer of ours in between."""
    routed = SecurityHeaders(PageAssets(BodyBudget(Starlette(routes=[*http_routes(), Mount("", backend)]))))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await backend(scope, receive, send)
        else:
            await routed(scope, receive, send)

    return app


_REFUSALS = {
    408: "The request's body took too long to arrive.",
    413: "The request's body is too big.",
    429: "Too many requests at once from this address.",
}


async def _refuse(send: Send, status: int) -> None:
    body = json.dumps({"detail": _REFUSALS[status]}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # The rest of a refused body is never read, so the connection cannot carry another request.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyBudget:
    """Holds every HTTP request to its door's budget (doors.py) before any route reads a byte of its body:
    a declared length over the door's `bytes` is answered 413 unread; a counted one (chunked, or lying) ends
    the body the moment it passes, as does the door's `read_seconds` (408); and a door with
    `at_once_per_client` answers 429 past that many requests in flight from one address. The route sees an
    ended body as a disconnected client; whatever it answers then, the caller gets the 413 or 408."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.in_flight: Counter[tuple[str, str]] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        door = doors.http_door(scope["method"], scope["path"])
        budget = door.budget if door is not None else doors.NO_BODY
        declared = _declared_length(scope)
        if declared is not None and declared > budget.bytes:
            await _refuse(send, 413)
            return
        if door is None or budget.at_once_per_client is None:
            await self._within(scope, receive, send, budget)
            return
        key = (door.path, throttle.client_key(scope["client"][0] if scope.get("client") else ""))
        if self.in_flight[key] >= budget.at_once_per_client:
            await _refuse(send, 429)
            return
        self.in_flight[key] += 1
        try:
            await self._within(scope, receive, send, budget)
        finally:
            self.in_flight[key] -= 1
            if self.in_flight[key] <= 0:
                del self.in_flight[key]

    async def _within(self, scope: Scope, receive: Receive, send: Send, budget: doors.Budget) -> None:
        deadline = asyncio.get_running_loop().time() + budget.read_seconds
        refused: list[int] = []
        started: list[bool] = []
        received = 0
        complete = False

        async def counted_receive() -> Message:
            nonlocal received, complete
            if refused:
                return {"type": "http.disconnect"}
            if complete:  # the body is in: what follows is the wait for a disconnect, which has no deadline
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                refused.append(408)
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > budget.bytes:
                    refused.append(413)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if refused:
                return
            if message["type"] == "http.response.start":
                started.append(True)
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise
        if refused:
            logger.info("refused %s %s: %s", scope["method"], scope["path"], _REFUSALS[refused[0]])
            if not started:
                await _refuse(send, refused[0])


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return None
