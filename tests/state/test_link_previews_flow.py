"""Link previews over real websockets: a message with a link to a real page (a site on 127.0.0.1, allowed for the
test) gets its card live on another tab after the send; its author removes it and the other tab sees it go;
nobody else can remove it. The card's picture comes from our server, to readers only."""

import httpx
import pytest

from bench.pages import serving
from djangochat_rx import db, settings
from djangochat_rx.domain import members, rooms
from djangochat_rx.http import files
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from tests.state.conftest import unique


@pytest.fixture(scope="module")
def site():
    with serving() as running:
        yield running


@pytest.fixture
def allowed(monkeypatch, site):
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_NETWORKS", ["127.0.0.1/32"])
    monkeypatch.setattr(settings, "LINK_PREVIEW_ALLOWED_PORTS", [80, 443, site.port])
    return site


async def room_tab(open_tab, token: str, slug: str):
    tab = await open_tab(f"/rooms/{slug}", token=token)
    await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready" and tab.var(AuthState, "media_ticket"))
    return tab


def cards(tab, text: str) -> list[dict]:
    return next((message.get("previews", []) for message in tab.feed() if message["body"] == text), [])


async def picture(backend_url: str, path: str, tab=None) -> httpx.Response:
    cookies = {files.VIEW_COOKIE: tab.var(AuthState, "media_ticket")} if tab is not None else {}
    async with httpx.AsyncClient(base_url=backend_url, cookies=cookies) as http:
        return await http.get(path)


async def test_a_links_card_reaches_the_other_tab_live_and_goes_when_its_author_removes_it(
    backend_url, open_tab, make_user, allowed
):
    author, author_token = make_user()
    reader, reader_token = make_user()
    _, outsider_token = make_user()
    den = db.call(rooms.create_room, unique("Den "), "", author.id, True)
    db.call(members.invite, author.id, den.id, reader.username)
    hall = db.call(rooms.create_room, unique("Hall "), "", author.id)
    writer = await room_tab(open_tab, author_token, den.slug)
    watcher = await room_tab(open_tab, reader_token, den.slug)
    outsider = await room_tab(open_tab, outsider_token, hall.slug)

    url = f"{allowed.url}/og?{unique('q')}"
    text = f"the plan: {url}"
    await writer.call(RoomState, "send", form={"message": text, "client_id": unique("c")})
    await watcher.wait_for(lambda: cards(watcher, text))
    [card] = cards(watcher, text)
    assert (card["url"], card["site"], card["title"]) == (url, "Plans & Co", "The <b>plan</b>")
    assert card["description"] == "Everything about the plan, in full."
    await writer.wait_for(lambda: cards(writer, text) == [card])

    # The picture is ours, served to readers; to an outsider or without a ticket like a made-up one.
    shown = await picture(backend_url, card["image_url"], watcher)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"
    made_up = card["image_url"].rsplit("/", 1)[0] + "/" + "0" * 32
    for path, tab in ((card["image_url"], outsider), (card["image_url"], None), (made_up, watcher)):
        refused = await picture(backend_url, path, tab)
        assert (refused.status_code, refused.text) == (404, "Not found.")
    assert all("Plans &" not in str(frame) and "The <b>plan" not in str(frame) for frame in outsider.frames)

    # Nobody but the author removes it; the author's removal reaches the other tab.
    message_id = next(message["id"] for message in watcher.feed() if message["body"] == text)
    await watcher.call(RoomState, "remove_preview", message_id=message_id, url=url)
    await watcher.wait_for(lambda: watcher.var(RoomState, "error"))
    assert watcher.var(RoomState, "error") == "Only its author can remove a message's preview."
    await outsider.call(RoomState, "remove_preview", message_id=message_id, url=url)
    await outsider.wait_for(lambda: outsider.var(RoomState, "error"))
    assert outsider.var(RoomState, "error") == "Message not found."
    assert cards(writer, text) == [card]
    await writer.call(RoomState, "remove_preview", message_id=message_id, url=url)
    await watcher.wait_for(lambda: cards(watcher, text) == [])
    await writer.wait_for(lambda: cards(writer, text) == [])
    assert (await picture(backend_url, card["image_url"], watcher)).status_code == 404
    late = await room_tab(open_tab, reader_token, den.slug)  # a page opened later shows none either
    assert cards(late, text) == [] and any(message["body"] == text for message in late.feed())
