"""Two backend processes sharing Redis and the database: a download ticket made on one is good on
the other, once."""

import httpx

from djangochat_rx import db
from djangochat_rx.domain import accounts, messages, rooms, sessions
from djangochat_rx.state.export import ExportState
from tests.support.client import STORAGE_KEY, ReflexTab


async def test_a_ticket_made_on_one_worker_downloads_once_on_another(two_backends):
    first, second = two_backends
    user = db.call(accounts.register, "xw-exporter", "password123", "password123")
    room = db.call(rooms.create_room, "Cross worker export", "", user.id)
    db.call(messages.post_message, room.id, user.id, "exported across workers")
    tab = ReflexTab(first.url, {STORAGE_KEY: db.call(sessions.issue, user.id, "test")})
    await tab.open("/account")
    await tab.call(ExportState, "download_mine")
    events = lambda: [e["payload"] for f in tab.frames for e in f.get("events") or [] if e["name"] == "_download"]  # noqa: E731
    (download,) = await tab.wait_for(events)
    await tab.close()
    path = download["url"].removeprefix(first.url)
    assert path.startswith("/_download/")

    async with httpx.AsyncClient() as client:
        on_second = await client.get(second.url + path)
        on_first = await client.get(first.url + path)
    assert on_second.status_code == 200
    assert [m["body"] for m in on_second.json()["messages"]] == ["exported across workers"]
    assert on_first.status_code == 404
