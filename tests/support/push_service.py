"""A real push service for tests: an HTTP server on 127.0.0.1 that takes Web Push POSTs the way a browser
vendor's does, and a browser's side of a subscription (its ECDH key pair and auth secret) to decrypt
what arrives with (RFC 8291, aes128gcm)."""

import base64
import json
import os
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from multidict import CIMultiDict


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Browser:
    """A subscribed browser's keys, and `subscription()` as PushSubscription.toJSON() gives it."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth))


class PushService:
    """Serves POST /push/<name>; each request is kept as (name, headers, body). `status` answers them."""

    def __init__(self) -> None:
        self.received: list[tuple[str, CIMultiDict, bytes]] = []
        self.status = 201
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _take(self, request: web.Request) -> web.Response:
        self.received.append((request.match_info["name"], request.headers.copy(), await request.read()))
        return web.Response(status=self.status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/push/{name}", self._take)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def browser(self, name: str) -> Browser:
        return Browser(f"{self.url}/push/{name}")
