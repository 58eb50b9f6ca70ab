"""How the built pages load: a page's answer names its scripts (a preload hint), and the built scripts and
styles are kept by the browser.

**Preload hints** (`Link: <…>; rel=modulepreload`).
A room's address (/rooms/<slug>) has no page of its own in the build: the server answers it with the build's
fallback page, which names only the root's scripts. Without a hint the browser learns of the room page's script
only once those have run, and of that script's imports only once it has arrived: three round trips in a row
before the room can draw (measured by `python -m bench.run browser`, "reload"). The hint names them all in the
first answer, so they load side by side with the root's. The list comes from React Router's manifest in the build
(`assets/manifest-*.js`), read once per build.

**Caching.** The build names every file under `/assets/` by a hash of its content, so a browser may keep one
for a year without asking again (`immutable`): reloading a room then fetches only the page itself, not the ~50
scripts and the stylesheet of the app. Everything else of the frontend (pages, files in `assets/` of the project
that keep their names) is asked again each time (`no-cache`: answered 304 when unchanged).

Only what the backend serves itself gets these headers (`make serve`); an exported frontend behind nginx gets
the ones docs/running.md gives it.
"""

import json
import re
from functools import cache
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from djangochat_rx.http.headers import built_frontend

_PREFIX = "window.__reactRouterManifest="


def _pattern(path: str) -> re.Pattern:
    """React Router's route path ("rooms/:slug") as a regular expression over a request's path."""
    parts = []
    for segment in path.strip("/").split("/"):
        if segment == "*":
            parts.append(".*")
        elif segment.startswith(":"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("/" + "/".join(parts) + "/?")


def route_scripts(manifest: dict) -> list[tuple[re.Pattern, str]]:
    """(path pattern, Link header value) for each page route of a React Router manifest: the route's module and
    its imports, less what the root already loads (every page's HTML names those)."""
    routes = manifest["routes"]
    root = routes["root"]
    loaded = {root["module"], *root.get("imports", []), manifest["entry"]["module"], *manifest["entry"]["imports"]}
    found = []
    for route in routes.values():
        if route["id"] == "root" or route.get("path") in (None, "*"):
            continue  # the root loads everywhere; "*" is the page for unknown addresses
        scripts = [route["module"], *(name for name in route.get("imports", []) if name not in loaded)]
        found.append((_pattern(route["path"]), ", ".join(f"<{name}>; rel=modulepreload" for name in scripts)))
    return found


def read_manifest(build_dir: Path) -> dict | None:
    """The build's React Router manifest (None when there is no build, as under `make run`)."""
    found = sorted((build_dir / "assets").glob("manifest-*.js"), key=lambda path: path.stat().st_mtime)
    if not found:
        return None
    text = found[-1].read_text().strip().removesuffix(";")
    return json.loads(text.removeprefix(_PREFIX)) if text.startswith(_PREFIX) else None


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    manifest = read_manifest(built_frontend())
    return route_scripts(manifest) if manifest else []


def hint_for(path: str) -> str | None:
    """The Link header for a page at `path` (None when no page route matches)."""
    for pattern, value in _routes():
        if pattern.fullmatch(path):
            return value
    return None


# Built files: /assets/<name>-<hash>.<ext> (Vite's names).
_BUILT = re.compile(r"/assets/[^/]+-[A-Za-z0-9_-]{8}\.(js|css)")
IMMUTABLE = "public, max-age=31536000, immutable"


def cache_policy(path: str) -> str:
    """The Cache-Control of a frontend file at `path` (a GET answered 200 with no policy of its own)."""
    return IMMUTABLE if _BUILT.fullmatch(path) else "no-cache"


class PageAssets:
    """ASGI middleware: hint_for(path) on the HTML answers of GET requests, and cache_policy(path) on the
    answers that set no Cache-Control of their own (routes of ours set theirs: files, downloads, the API)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = list(message.get("headers", []))
                names = {name.lower(): value for name, value in headers}
                if b"cache-control" not in names and _frontend(names):
                    headers.append((b"cache-control", cache_policy(scope["path"]).encode()))
                hint = hint_for(scope["path"]) if names.get(b"content-type", b"").startswith(b"text/html") else None
                if hint:
                    headers.append((b"link", hint.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _frontend(names: dict[bytes, bytes]) -> bool:
    """Whether an answer is a file of the built frontend (Starlette's static files send an ETag; JSON answers of
    Reflex and ours do not)."""
    return b"etag" in names
