"""Security headers on every HTTP response of the backend, including the built frontend it serves
in production (`reflex run --env prod`). In development (`make run`) the pages come from Reflex's
frontend dev server on :3000, which this middleware does not reach: there they have none of these.

The Content-Security-Policy allows scripts only from our own origin plus the inline scripts that
the frontend build itself wrote (pinned by their SHA-256), so injected or foreign scripts cannot run,
and no other site may frame the app."""

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from reflex.utils import prerequisites
from reflex_base import constants
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from djangochat_rx import settings

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def inline_script_hashes(build_dir: Path) -> list[str]:
    """CSP source expressions for every inline script in the built pages."""
    hashes = {
        base64.b64encode(hashlib.sha256(body).digest()).decode()
        for page in build_dir.rglob("*.html")
        for body in _INLINE_SCRIPT.findall(page.read_bytes())
    }
    return [f"'sha256-{digest}'" for digest in sorted(hashes)]


def content_security_policy(build_dir: Path) -> str:
    scripts = " ".join(["'self'", *inline_script_hashes(build_dir)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Radix Themes and Emotion put style elements and attributes in the page at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@cache
def security_headers() -> list[tuple[bytes, bytes]]:
    build_dir = prerequisites.get_web_dir() / constants.Dirs.STATIC
    return [
        (b"content-security-policy", content_security_policy(build_dir).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]


def transport_headers() -> list[tuple[bytes, bytes]]:
    """Strict-Transport-Security when settings.HSTS_SECONDS is set (serve over TLS first: browsers then
    refuse plain HTTP to this host for that long)."""
    if settings.HSTS_SECONDS <= 0:
        return []
    return [(b"strict-transport-security", f"max-age={settings.HSTS_SECONDS}; includeSubDomains".encode())]


class SecurityHeaders:
    """ASGI middleware adding security_headers() to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                wanted = [*security_headers(), *transport_headers()]
                extra = [(name, value) for name, value in wanted if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
