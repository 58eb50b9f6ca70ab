"""The REST API over real HTTP against the real backend: a token posts into a room live for the room's
sockets (once per idempotency key), reads after a seq page by page, edits, deletes and reacts to its own
messages, searches; scopes, expired, revoked and disabled tokens, an outsider's token on a private room (and a
guest's on a public room it is not in) and a flood get their answers; the OpenAPI document is valid and lists
every route, and its page loads."""

from urllib.parse import quote

import aiohttp
import pytest
from limits import parse
from openapi_spec_validator import validate
from sqlalchemy import update

from djangochat_rx import db
from djangochat_rx.domain import accounts, admin, api_tokens, rooms
from djangochat_rx.http import api
from djangochat_rx.infra import throttle
from djangochat_rx.models import ApiToken, utcnow
from djangochat_rx.state.api_tokens import ApiTokensState
from tests.state.conftest import room_tab, unique
from tests.state.test_outsider import make_guest


def token_for(user_id: int, scopes=("read", "post")) -> str:
    return db.call(api_tokens.create, user_id, "script", list(scopes), 30)[1]


async def call(base: str, method: str, path: str, token: str | None = None, **kwargs) -> tuple[int, object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    async with aiohttp.ClientSession() as http, http.request(method, base + path, headers=headers, **kwargs) as answer:
        body = await answer.json() if answer.content_type == "application/json" else await answer.text()
        return answer.status, body


def expire(session, token: str) -> None:
    session.execute(
        update(ApiToken).where(ApiToken.token_hash == api_tokens.hash_token(token)).values(expires_at=utcnow())
    )
    session.commit()


async def test_a_token_posts_live_once_per_key_and_reads_after_a_seq(open_tab, make_user, backend_url, room):
    poster, _ = make_user()
    _, reader_token = make_user()
    token = token_for(poster.id)
    reader = await room_tab(open_tab, reader_token, room.slug)
    path = f"/api/v1/rooms/{room.slug}/messages"

    status, first = await call(
        backend_url, "POST", path, token, json={"text": "build #12 passed", "idempotency_key": "k1"}
    )
    assert status == 201 and first["author"] == poster.username and first["seq"] == 1
    await reader.wait_for(lambda: reader.texts() == ["build #12 passed"])
    # A retry under the same key (here as the Idempotency-Key header) posts nothing new.
    again = await call(
        backend_url, "POST", path, token, json={"text": "build #12 passed"}, headers={"Idempotency-Key": "k1"}
    )
    assert again == (201, first)
    for n in (2, 3):
        assert (await call(backend_url, "POST", path, token, json={"text": f"message {n}"}))[0] == 201
    await reader.wait_for(lambda: len(reader.texts()) == 3)

    status, page = await call(backend_url, "GET", path + "?after=0&limit=2", token)
    assert status == 200 and [m["text"] for m in page["messages"]] == ["build #12 passed", "message 2"]
    status, rest = await call(backend_url, "GET", path + f"?after={page['next_after']}&limit=2", token)
    assert [m["seq"] for m in rest["messages"]] == [3] and rest["next_after"] is None
    status, listed = await call(backend_url, "GET", "/api/v1/rooms", token)
    assert {"slug": room.slug, "last_seq": 3}.items() <= next(r for r in listed if r["slug"] == room.slug).items()
    assert (await call(backend_url, "GET", "/api/v1/me", token))[1] == {
        "username": poster.username,
        "scopes": ["read", "post"],
    }


async def test_edit_delete_and_react_through_the_api_reach_the_room_live(open_tab, make_user, backend_url, room):
    poster, _ = make_user()
    other, other_session = make_user()
    token, others = token_for(poster.id), token_for(other.id)
    reader = await room_tab(open_tab, other_session, room.slug)
    _, message = await call(backend_url, "POST", f"/api/v1/rooms/{room.slug}/messages", token, json={"text": "draft"})
    await reader.wait_for(lambda: reader.texts() == ["draft"])

    status, edited = await call(
        backend_url, "PATCH", f"/api/v1/messages/{message['id']}", token, json={"text": "final"}
    )
    assert status == 200 and edited["edited"] is True
    await reader.wait_for(lambda: reader.texts() == ["final"])
    assert (await call(backend_url, "PATCH", f"/api/v1/messages/{message['id']}", others, json={"text": "mine"}))[
        0
    ] == 403

    thumbs = quote("👍")
    for _ in range(2):  # PUT twice is still one reaction
        status, reacted = await call(backend_url, "PUT", f"/api/v1/messages/{message['id']}/reactions/{thumbs}", others)
    assert status == 200 and reacted["reactions"] == [{"emoji": "👍", "count": 1, "users": [other.username]}]
    await reader.wait_for(lambda: reader.feed()[0]["reactions"] and reader.feed()[0]["reactions"][0]["count"] == 1)
    status, unreacted = await call(
        backend_url, "DELETE", f"/api/v1/messages/{message['id']}/reactions/{thumbs}", others
    )
    assert status == 200 and unreacted["reactions"] == []
    not_emoji = await call(backend_url, "PUT", f"/api/v1/messages/{message['id']}/reactions/abc", others)
    assert not_emoji[0] == 422

    assert (await call(backend_url, "DELETE", f"/api/v1/messages/{message['id']}", token))[0] == 204
    await reader.wait_for(lambda: reader.feed()[0]["deleted"] is True)


async def test_scopes_and_dead_tokens_are_refused(make_user, backend_url, room):
    user, _ = make_user()
    reading, posting = token_for(user.id, ["read"]), token_for(user.id, ["post"])
    path = f"/api/v1/rooms/{room.slug}/messages"
    assert (await call(backend_url, "POST", path, reading, json={"text": "hi"}))[0] == 403
    assert (await call(backend_url, "GET", path, posting))[0] == 403
    assert (await call(backend_url, "GET", path, reading))[0] == 200

    refused = (401, {"detail": str(api_tokens.NotAuthenticated())})
    assert await call(backend_url, "GET", "/api/v1/rooms") == refused
    assert await call(backend_url, "GET", "/api/v1/rooms", "dcrx_made-up") == refused
    expired = token_for(user.id)
    db.call(expire, expired)
    assert await call(backend_url, "GET", "/api/v1/rooms", expired) == refused
    revoked = token_for(user.id)
    newest = db.call(api_tokens.listed, user.id)[0]
    db.call(api_tokens.revoke, user.id, newest.id)
    assert await call(backend_url, "GET", "/api/v1/rooms", revoked) == refused
    views = db.call(api_tokens.listed, user.id)
    assert views[0].revoked and views[0].last_used_at == "" and views[1].expired
    assert [bool(view.last_used_at) for view in views[2:]] == [True, True]  # `posting` and `reading`

    boss, _ = make_user()
    db.call(admin.promote, boss.username)
    db.call(admin.disable_user, boss.id, user.id)
    assert await call(backend_url, "GET", "/api/v1/rooms", reading) == refused


@pytest.mark.parametrize("who", ["outsider of a private room", "guest not in a public room"])
async def test_an_outsiders_token_finds_nothing_of_a_private_room(make_user, backend_url, who):
    member, _ = make_user()
    outsider, _ = make_guest(member.id) if "guest" in who else make_user()
    secret = db.call(rooms.create_room, unique("Secret "), "", member.id, "private" in who)
    mine, theirs = token_for(member.id), token_for(outsider.id)
    _, message = await call(
        backend_url, "POST", f"/api/v1/rooms/{secret.slug}/messages", mine, json={"text": "quarterly numbers"}
    )
    missing = (404, {"detail": str(rooms.RoomNotFound())})

    _, listed = await call(backend_url, "GET", "/api/v1/rooms", theirs)
    assert secret.slug not in [room["slug"] for room in listed]
    assert await call(backend_url, "GET", f"/api/v1/rooms/{secret.slug}/messages", theirs) == missing
    assert await call(backend_url, "GET", "/api/v1/rooms/no-such-room/messages", theirs) == missing
    assert (
        await call(backend_url, "POST", f"/api/v1/rooms/{secret.slug}/messages", theirs, json={"text": "hi"}) == missing
    )
    not_found = await call(backend_url, "PATCH", "/api/v1/messages/999999999", theirs, json={"text": "x"})
    assert (
        await call(backend_url, "PATCH", f"/api/v1/messages/{message['id']}", theirs, json={"text": "x"}) == not_found
    )
    assert not_found[0] == 404
    assert (await call(backend_url, "DELETE", f"/api/v1/messages/{message['id']}", theirs)) == not_found
    react = f"/api/v1/messages/{message['id']}/reactions/{quote('👍')}"
    assert (await call(backend_url, "PUT", react, theirs))[0] == 404
    assert await call(backend_url, "GET", "/api/v1/search?q=quarterly", theirs) == (200, [])
    status, found = await call(backend_url, "GET", "/api/v1/search?q=quarterly", mine)
    assert status == 200 and [hit["message_id"] for hit in found] == [message["id"]]


@pytest.fixture
def strict_api(monkeypatch):
    monkeypatch.setattr(throttle, "API_LIMITS", [parse("3 per minute")])


async def test_an_account_over_its_budget_is_told_to_wait_whichever_token_it_uses(make_user, backend_url, strict_api):
    user, _ = make_user()
    token = token_for(user.id)
    statuses = [(await call(backend_url, "GET", "/api/v1/rooms", token))[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert (await call(backend_url, "GET", "/api/v1/rooms", token_for(user.id)))[0] == 429  # per account
    other, _ = make_user()
    assert (await call(backend_url, "GET", "/api/v1/rooms", token_for(other.id)))[0] == 200


async def test_the_openapi_document_is_valid_and_lists_every_route_and_its_page_loads(backend_url):
    status, document = await call(backend_url, "GET", "/api/v1/openapi.json")
    assert status == 200
    validate(document)
    routes = {
        (route.path, method.lower())
        for route in api.api.routes
        if getattr(route, "include_in_schema", False)
        for method in route.methods
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes == documented and len(routes) == 10
    assert document["servers"] == [{"url": "/api/v1"}]
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (path, method)
            if not path.startswith("/webhooks"):
                assert "401" in op["responses"], (path, method)

    status, page = await call(backend_url, "GET", "/api/v1/docs")
    assert status == 200 and "swagger-ui" in page
    for asset in (
        "/api/v1/docs/assets/swagger-ui-bundle.js",
        "/api/v1/docs/assets/swagger-ui.css",
        "/api/v1/docs/start.js",
    ):
        assert asset in page or asset.endswith("start.js")
        assert (await call(backend_url, "GET", asset))[0] == 200


async def test_the_account_page_makes_a_token_shown_once_that_works_until_revoked(open_tab, make_user, backend_url):
    user, session = make_user()
    earlier = db.call(api_tokens.create, user.id, "earlier", ["read"], 7)[0]
    tab = await open_tab("/account", token=session)
    await tab.call(ApiTokensState, "load_tokens", everyone=False)
    await tab.wait_for(lambda: [token["id"] for token in tab.var(ApiTokensState, "tokens")] == [earlier.id])
    await tab.call(ApiTokensState, "revoke_token", token_id=earlier.id)
    form = {"name": "deploy script", "scope_read": "on", "days": "30", "password": "wrong password"}
    await tab.call(ApiTokensState, "create_token", form=form)
    await tab.wait_for(lambda: tab.var(ApiTokensState, "token_error") == "Your current password is not correct.")
    assert [token["name"] for token in tab.var(ApiTokensState, "tokens")] == ["earlier"]
    form["password"] = "password123"
    await tab.call(ApiTokensState, "create_token", form=form)
    await tab.wait_for(lambda: tab.var(ApiTokensState, "new_token"))
    token = tab.var(ApiTokensState, "new_token")
    assert token.startswith("dcrx_") and len(token) > 40
    listed, _ = tab.var(ApiTokensState, "tokens")
    assert (listed["name"], listed["scopes"], listed["username"]) == ("deploy script", ["read"], user.username)
    assert token not in str(tab.var(ApiTokensState, "tokens"))
    assert (await call(backend_url, "GET", "/api/v1/rooms", token))[0] == 200

    await tab.call(ApiTokensState, "create_token", form={"name": "no scopes", "days": "30"})
    await tab.wait_for(lambda: "scopes" in tab.var(ApiTokensState, "token_error"))
    await tab.call(ApiTokensState, "revoke_token", token_id=listed["id"])
    await tab.wait_for(lambda: tab.var(ApiTokensState, "tokens")[0]["revoked"])
    assert (await call(backend_url, "GET", "/api/v1/rooms", token))[0] == 401
    # Only the admin area makes tokens for someone else; a member asking for it gets their own list only.
    await tab.call(ApiTokensState, "load_tokens", everyone=True)
    await tab.call(ApiTokensState, "create_token", form={**form, "for_username": "someone", "new_bot": "on"})
    await tab.wait_for(lambda: tab.var(ApiTokensState, "token_error"))
    assert tab.var(ApiTokensState, "tokens") == [] and not db.call(accounts.user_exists, "someone")


async def test_an_admin_makes_a_token_for_a_new_bot_account_and_sees_everyones(open_tab, make_user, backend_url, room):
    boss, session = make_user()
    db.call(admin.promote, boss.username)
    member, _ = make_user()
    token_for(member.id)
    tab = await open_tab("/admin", token=session)
    await tab.call(ApiTokensState, "load_tokens", everyone=True)
    bot = unique("deploy")
    form = {
        "name": "deploys",
        "scope_post": "on",
        "scope_read": "on",
        "days": "7",
        "for_username": bot,
        "new_bot": "on",
        "password": "password123",
    }
    await tab.call(ApiTokensState, "create_token", form=form)
    await tab.wait_for(lambda: tab.var(ApiTokensState, "new_token"))
    owners = [token["username"] for token in tab.var(ApiTokensState, "tokens")]
    assert owners[0] == bot and member.username in owners
    status, posted = await call(
        backend_url,
        "POST",
        f"/api/v1/rooms/{room.slug}/messages",
        tab.var(ApiTokensState, "new_token"),
        json={"text": "deployed"},
    )
    assert status == 201 and posted["author"] == bot
    assert bot in db.call(accounts.bot_names)
    assert any(
        entry.action == "api_token.create" and bot in entry.target for entry in db.call(admin.audit_log, boss.id)
    )
