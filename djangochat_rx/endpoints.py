"""Our HTTP endpoints in front of Reflex's backend (the rx.App api_transformer): file uploads and bytes,
export downloads, one-click unsubscribe and the REST API, in one router; every HTTP answer gets the
security headers (headers.py).

Websockets skip the router: a socket lives for hours, and every ASGI layer it passes through keeps a
coroutine frame alive for that long (five routers of ours cost ~18 KB per open tab, README "Benchmarks").
"""

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from djangochat_rx import api, downloads, files, notices
from djangochat_rx.headers import SecurityHeaders


def http_routes() -> list[BaseRoute]:
    """Every HTTP route of ours, in front of Reflex's."""
    return [*downloads.http_routes(), *files.http_routes(), *notices.http_routes(), *api.http_routes()]


def with_endpoints(backend: ASGIApp) -> ASGIApp:
    """The Reflex backend behind our routes; its websocket reached with no layer of ours in between."""
    routed = SecurityHeaders(Starlette(routes=[*http_routes(), Mount("", backend)]))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await backend(scope, receive, send)
        else:
            await routed(scope, receive, send)

    return app
