"""Incoming webhooks over real HTTP against the real backend: the owner makes one in the room's settings
panel, `POST {"text": ...}` to its URL appears live on the room's sockets as its bot, Slack payloads work,
and bad bodies, revoked or made-up URLs and floods get their answers."""

import aiohttp
import pytest
from limits import parse

from djangochat_rx import db, routes, settings
from djangochat_rx.domain import rooms
from djangochat_rx.infra import throttle
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.webhooks import WebhooksState
from tests.state.conftest import room_tab, unique


async def post(url: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.post(url, **kwargs) as answer:
        return answer.status, await answer.json()


@pytest.fixture
def strict_webhooks(monkeypatch):
    monkeypatch.setattr(throttle, "WEBHOOK_LIMITS", [parse("2 per minute")])


async def test_a_post_to_the_webhook_url_appears_live_as_its_bot(open_tab, make_user, backend_url, strict_webhooks):
    owner, owner_token = make_user()
    _, reader_token = make_user()
    room = db.call(rooms.create_room, unique("Builds "), "", owner.id)
    owners_tab = await room_tab(open_tab, owner_token, room.slug)
    await owners_tab.call(WebhooksState, "create_hook", form={"name": "CI builds"})
    await owners_tab.wait_for(lambda: owners_tab.var(WebhooksState, "hook_url"))
    url = owners_tab.var(WebhooksState, "hook_url").replace(settings.PUBLIC_URL, backend_url)
    [hook] = owners_tab.var(WebhooksState, "hooks")
    reader = await room_tab(open_tab, reader_token, room.slug)

    status, body = await post(url, json={"text": "build #12 passed"})
    assert status == 200 and body["ok"] is True
    await reader.wait_for(lambda: [m["body"] for m in reader.feed()] == ["build #12 passed"])
    assert reader.feed()[0]["author"] == hook["bot"]

    slack = {"attachments": [{"fallback": "deploy of api failed", "color": "danger"}]}
    assert (await post(url, json=slack))[0] == 200
    await reader.wait_for(lambda: reader.feed()[-1]["body"] == "deploy of api failed")
    assert await post(url, data="not json", headers={"Content-Type": "application/json"}) == (
        400,
        {"ok": False, "error": "The body is not JSON."},
    )
    assert (await post(url, json={"text": "one too many"}))[0] == 429  # the third post in a minute
    assert len(reader.feed()) == 2

    await owners_tab.call(WebhooksState, "revoke_hook", webhook_id=hook["id"])
    await owners_tab.wait_for(lambda: owners_tab.var(WebhooksState, "hooks") == [])
    gone = await post(url, json={"text": "still there?"})
    made_up = await post(backend_url + "/api/v1/webhooks/made-up", json={"text": "hello"})
    assert gone == made_up == (404, {"ok": False, "error": "No such webhook."})


async def test_with_the_page_on_another_port_webhook_and_api_links_name_the_backend(open_tab, make_user, backend_url):
    """`make run`: pages from :3000, the backend on its own port. The URL shown is the backend's (a POST to the
    page's port would answer 405), and so is the account page's link to the API's reference."""
    owner, owner_token = make_user()
    room = db.call(rooms.create_room, unique("Dev "), "", owner.id)
    development = {"Origin": "http://localhost:3000"}
    tab = await room_tab(open_tab, owner_token, room.slug, headers=development)
    assert tab.var(AuthState, "api_base") == backend_url
    await tab.call(WebhooksState, "create_hook", form={"name": "local CI"})
    await tab.wait_for(lambda: tab.var(WebhooksState, "hook_url"))
    url = tab.var(WebhooksState, "hook_url")
    assert url.startswith(backend_url + "/api/v1/webhooks/")
    status, body = await post(url, json={"text": "built on my laptop"})
    assert status == 200 and body["ok"] is True

    account = await open_tab(routes.ACCOUNT, token=owner_token, headers=development)
    await account.wait_for(lambda: account.var(AuthState, "api_base"))
    assert account.var(AuthState, "api_base") == backend_url


async def test_someone_who_does_not_own_the_room_makes_no_webhook(open_tab, make_user):
    owner, _ = make_user()
    _, member_token = make_user()
    room = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    tab = await room_tab(open_tab, member_token, room.slug)
    await tab.call(WebhooksState, "create_hook", form={"name": "sneaky"})
    await tab.call(WebhooksState, "load_hooks")
    await tab.wait_for(lambda: tab.var(WebhooksState, "hooks") == [] and tab.var(WebhooksState, "hook_url") == "")
    assert tab.var(WebhooksState, "hook_url") == ""
