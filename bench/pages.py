"""A small web site on 127.0.0.1 for link previews (the `previews` scenario, and the tests of link previews): a
page with OpenGraph tags and a picture, redirects, a huge page, a slow one, a gzip bomb, a page that is not HTML.
Every request is recorded (path and Host header)."""

import gzip
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Plain title</title>
<meta property="og:site_name" content="Plans &amp; Co">
<meta property="og:title" content="The &lt;b&gt;plan&lt;/b&gt;">
<meta property="og:description" content="Everything about the plan, in\u200b full.">
<meta property="og:image" content="/img.png">
</head><body><p>{filler}</p></body></html>"""
TITLE_ONLY = "<html><head><title>  Just a\n title </title><meta name=description content='Short.'></head></html>"


@dataclass
class Site:
    """The running site: its base URL, port and every request it got (path, Host header)."""

    url: str
    port: int
    requests: list[tuple[str, str]] = field(default_factory=list)

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "text/html", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            site.requests.append((parts.path, self.headers.get("Host", "")))
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            path = parts.path
            if path in ("/og", "/og2", "/counted"):
                self._send(200, OG_PAGE.format(filler="x").encode(), "text/html; charset=utf-8")
            elif path == "/title-only":
                self._send(200, TITLE_ONLY.encode())
            elif path == "/no-title":
                self._send(200, b"<html><head></head><body>nothing</body></html>")
            elif path == "/img.png":
                self._send(200, png(), "image/png")
            elif path == "/redirect":
                self._send(302, b"", Location=query["to"])
            elif path == "/loop":
                self._send(302, b"", Location="/loop")
            elif path == "/json":
                self._send(200, b'{"title": "not a page"}', "application/json")
            elif path == "/huge":
                self._huge()
            elif path == "/bomb":
                self._send(200, gzip.compress(b" " * (50 * 1024 * 1024)), "text/html", Content_Encoding="gzip")
            elif path == "/slow":
                self._slow()
            else:
                self._send(404, b"no such page", "text/plain")

        def _huge(self) -> None:
            """2 MB of HTML, chunked (no length said up front)."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            try:
                for _ in range(32):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass

        def _slow(self) -> None:
            """A page that drips a byte a second, never finishing within a fetch's time."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass

    return Handler


@contextmanager
def serving() -> Iterator[Site]:
    """The site on 127.0.0.1 at a free port, for the block's length."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    site = Site(f"http://127.0.0.1:{server.server_port}", server.server_port)
    server.RequestHandlerClass = _handler(site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
