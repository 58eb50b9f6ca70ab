"""The backend's security headers as an ASGI middleware, with Strict-Transport-Security behind a setting."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from djangochat_rx import settings
from djangochat_rx.http import headers


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


def test_an_exported_frontend_gets_the_pages_headers_as_nginx_lines(tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<html><script>window.x = 1</script><script src='/a.js'></script></html>")
    (tmp_path / "rooms").mkdir()
    (tmp_path / "rooms" / "index.html").write_text("<script>window.y = 2</script>")
    lines = headers.nginx_directives(tmp_path).splitlines()
    policy = headers.content_security_policy(tmp_path)
    assert len(headers.inline_script_hashes(tmp_path)) == 2  # one per inline script, the src= one not
    assert f'add_header Content-Security-Policy "{policy}" always;' in lines
    assert 'add_header X-Frame-Options "DENY" always;' in lines
    assert not any("Strict-Transport-Security" in line for line in lines)
    monkeypatch.setattr(settings, "HSTS_SECONDS", 600)
    assert 'add_header Strict-Transport-Security "max-age=600; includeSubDomains" always;' in (
        headers.nginx_directives(tmp_path).splitlines()
    )
