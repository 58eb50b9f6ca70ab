"""Our routes in front of Reflex's backend: HTTP goes through them (with the security headers); a websocket
reaches the backend with no layer of ours in between (nothing of ours kept alive per open socket)."""

import httpx
from starlette.responses import PlainTextResponse

from djangochat_rx.http import endpoints, headers


async def test_websockets_go_straight_to_the_backend_and_http_through_our_routes(monkeypatch):
    monkeypatch.setattr(headers, "security_headers", lambda: [(b"x-content-type-options", b"nosniff")])
    reached = []

    async def backend(scope, receive, send):
        reached.append(scope)
        if scope["type"] == "http":
            await PlainTextResponse("reflex")(scope, receive, send)

    app = endpoints.with_endpoints(backend)
    socket = {"type": "websocket", "path": "/_event/", "query_string": b"EIO=4&transport=websocket", "headers": []}
    await app(socket, None, None)
    assert reached == [socket] and reached[0] is socket  # the very scope: no router copied it on the way

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        page = await client.get("/ping")
        refused = await client.get("/_files/1/full/x.png")  # ours: the file route, no ticket
    assert (page.text, page.headers["x-content-type-options"]) == ("reflex", "nosniff")
    assert refused.status_code == 404 and refused.text == "Not found." and len(reached) == 2
    assert refused.headers["x-content-type-options"] == "nosniff"
