"""Preload hints (http/page_assets.py): a page's answer names its route's scripts, so a room opened by its address
loads them beside the root's instead of one round trip after another."""

import json

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient

from djangochat_rx.http import page_assets

MANIFEST = {
    "entry": {"module": "/assets/entry.js", "imports": ["/assets/components.js"]},
    "routes": {
        "root": {
            "id": "root",
            "path": "",
            "module": "/assets/root.js",
            "imports": ["/assets/components.js", "/assets/x.js"],
        },
        "routes/[rooms].$[slug]._index": {
            "id": "routes/[rooms].$[slug]._index",
            "path": "rooms/:slug",
            "index": True,
            "module": "/assets/room.js",
            "imports": ["/assets/components.js", "/assets/pin.js", "/assets/smile.js"],
        },
        "routes/[rooms]._index": {
            "id": "routes/[rooms]._index",
            "path": "rooms",
            "module": "/assets/rooms.js",
            "imports": [],
        },
        "routes/[404]._index": {"id": "routes/[404]._index", "path": "*", "module": "/assets/404.js", "imports": []},
    },
}


def test_each_page_route_names_its_module_and_the_imports_the_root_does_not_load():
    found = {pattern.pattern: value for pattern, value in page_assets.route_scripts(MANIFEST)}
    room = "<{}>; rel=modulepreload"
    assert found["/rooms/[^/]+/?"] == ", ".join(
        room.format(name) for name in ("/assets/room.js", "/assets/pin.js", "/assets/smile.js")
    )
    assert found["/rooms/?"] == "</assets/rooms.js>; rel=modulepreload"
    assert not any("404" in value for value in found.values())  # the page for unknown addresses gets nothing


def test_the_manifest_is_read_from_the_build(tmp_path):
    assert page_assets.read_manifest(tmp_path) is None  # no build (make run): no hints
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "manifest-1234.js").write_text(f"{page_assets._PREFIX}{json.dumps(MANIFEST)};")
    assert page_assets.read_manifest(tmp_path) == MANIFEST


@pytest.fixture
def client(monkeypatch, tmp_path):
    monkeypatch.setattr(page_assets, "_routes", lambda: page_assets.route_scripts(MANIFEST))
    app = Starlette(
        routes=[
            Route("/rooms/{slug}", lambda request: HTMLResponse("<html></html>"), methods=["GET", "POST"]),
            Route("/rooms/{slug}/members", lambda request: HTMLResponse("<html></html>")),
            Route("/api/rooms/{slug}", lambda request: JSONResponse({})),
            Route(
                "/files/{name}", lambda request: JSONResponse({}, headers={"Cache-Control": "no-store", "ETag": "1"})
            ),
            Mount("/", StaticFiles(directory=tmp_path)),
        ]
    )
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "entry.client-ylr8JhQO.js").write_text("export {};")
    (tmp_path / "chat.css").write_text("body {}")
    return TestClient(page_assets.PageAssets(app))


def test_a_room_page_answer_carries_its_scripts(client):
    link = client.get("/rooms/general").headers["link"]
    assert link.startswith("</assets/room.js>; rel=modulepreload") and "/assets/pin.js" in link
    assert "/assets/components.js" not in link  # the page's HTML names the root's already


def test_no_hint_on_what_is_not_a_page(client):
    assert "link" not in client.get("/api/rooms/general").headers  # not HTML
    assert "link" not in client.post("/rooms/general").headers  # not a GET
    assert "link" not in client.get("/rooms/general/members").headers  # HTML, but no page route of the build matches


def test_built_files_are_kept_and_the_rest_asked_again(client):
    built = client.get("/assets/entry.client-ylr8JhQO.js")
    assert built.headers["cache-control"] == page_assets.IMMUTABLE
    # Named by the project, not by their content: asked again each time (304 when unchanged).
    first = client.get("/chat.css")
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/chat.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "no-cache"
    assert "cache-control" not in client.get("/api/rooms/general").headers  # not a file of the frontend
    assert client.get("/files/x").headers["cache-control"] == "no-store"  # a route's own policy stays


def test_only_vite_names_count_as_built():
    assert page_assets.cache_policy("/assets/_rooms_.__slug_._index-DOJVJR3N.js") == page_assets.IMMUTABLE
    assert page_assets.cache_policy("/assets/__reflex_global_styles-DQ-z8Vba.css") == page_assets.IMMUTABLE
    assert page_assets.cache_policy("/room_log.js") == "no-cache"
    assert page_assets.cache_policy("/assets/../sw.js") == "no-cache"
