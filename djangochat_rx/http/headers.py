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


def page_headers(build_dir: Path) -> list[tuple[str, str]]:
    """The security headers every page built into `build_dir` needs, wherever it is served from."""
    return [
        ("Content-Security-Policy", content_security_policy(build_dir)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]


def built_frontend() -> Path:
    """Where the production build of the frontend is, which the backend serves (`make serve`)."""
    return prerequisites.get_web_dir() / constants.Dirs.STATIC


@cache
def security_headers() -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in page_headers(built_frontend())]


def tls_headers() -> list[tuple[str, str]]:
    """Strict-Transport-Security when settings.HSTS_SECONDS is set (serve over TLS first: browsers then
    refuse plain HTTP to this host for that long)."""
    if settings.HSTS_SECONDS <= 0:
        return []
    return [("Strict-Transport-Security", f"max-age={settings.HSTS_SECONDS}; includeSubDomains")]


def transport_headers() -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in tls_headers()]


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


def nginx_directives(frontend_dir: Path) -> str:
    """nginx `add_header` lines giving the exported frontend in `frontend_dir` the headers the backend gives
    the frontend it serves itself (docs/running.md "Static frontend + backend apart"). The policy pins this export's
    inline scripts, so it is written again after each export."""
    wanted = page_headers(frontend_dir) + tls_headers()
    lines = [f"# Written by python -m djangochat_rx nginx-headers for the export in {frontend_dir}"]
    lines += [f'add_header {name} "{value}" always;' for name, value in wanted]
    return "\n".join(lines) + "\n"
