"""The backend's security headers as an ASGI middleware, with Strict-Transport-Security behind a setting."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from djangochat_rx import headers, settings


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(headers, "security_headers", lambda: [(b"x-content-type-options", b"nosniff")])
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("hi"))])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=headers.SecurityHeaders(app)), base_url="http://test")


async def test_no_hsts_unless_the_setting_says_the_app_is_served_over_tls(client, monkeypatch):
    response = await client.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in response.headers
    monkeypatch.setattr(settings, "HSTS_SECONDS", 31536000)
    response = await client.get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
