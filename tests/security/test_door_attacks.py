"""Issue 26, attacks 7, 9, 10 and 11 and the hygiene findings, over real sockets, real HTTP and a real SMTP
server: every door checks before it lets anything through, and charges its budget."""

import asyncio
import logging
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import aiohttp
import bcrypt
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from limits import parse
from sqlalchemy import update
from sqlmodel import col, select

from djangochat_rx import db, settings
from djangochat_rx.actions import perform
from djangochat_rx.actions import threads as thread_actions
from djangochat_rx.domain import accounts, admin, api_tokens, members, messages, rooms, threads, webhooks
from djangochat_rx.infra import throttle
from djangochat_rx.models import User
from djangochat_rx.notify import hooks, mail
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState
from djangochat_rx.state.webhooks import WebhooksState
from tests.state.conftest import beside_a_private_room, room_tab, unique
from tests.support import server

MADE_UP = "/api/v1/webhooks/made-up-token"


ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # RFC 8058's body


async def http(base: str, method: str, path: str, token: str = "", **kwargs) -> tuple[int, object]:
    """One request (a bearer token when given): its status and its JSON (or text) body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, base + path, headers=headers | kwargs.pop("headers", {}), **kwargs) as answer,
    ):
        body = await answer.json() if answer.content_type == "application/json" else await answer.text()
        return answer.status, body


async def status_of_partial_post(base: str, path: str, declared: int, sent: bytes) -> int:
    """POST declaring `declared` body bytes but sending only `sent` (and keeping the connection open): the status
    the server answers with before the rest arrives."""
    where = urlsplit(base)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    head = f"POST {path} HTTP/1.1\r\nHost: {where.netloc}\r\nContent-Type: application/json\r\n"
    writer.write(f"{head}Content-Length: {declared}\r\n\r\n".encode() + sent)
    await writer.drain()
    try:
        async with asyncio.timeout(30):  # a guard against hanging, not a measure: the answer comes at once
            status_line = await reader.readline()
    finally:
        writer.close()
    return int(status_line.split()[1])


def make_admin(user_id: int) -> None:
    with db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(is_admin=True))
        session.commit()


def webhook_in(room_id: int, owner_id: int, name: str = "CI") -> tuple[str, int]:
    """A new webhook of the room, made by its owner: its path and its bot's id."""
    view, token = db.call(webhooks.create, owner_id, room_id, name)
    return webhooks.PATH.format(token=token), db.call(user_id, view.bot)


def user_id(session, username: str) -> int:
    return session.exec(select(User.id).where(User.username == username)).one()


def _room_and_thread(tab, since: int) -> list[dict]:
    """What the tab's room page and thread panel were sent since frame `since`."""
    shown = (RoomState.get_full_name(), ThreadState.get_full_name())
    return [
        {state: delta for state, delta in (frame.get("delta") or {}).items() if state in shown}
        for frame in tab.frames[since:]
    ]


# --- attack 7: check, then watch ------------------------------------------------------------------------


async def test_an_outsider_opening_a_private_thread_while_it_is_answered_hears_nothing_of_it(
    open_tab, make_user, monkeypatch
):
    """The outsider's access check is held while the insiders answer the thread: before the fix the outsider's
    socket was in the thread's group by then and got the replies (and, with them, the parent)."""
    owner, _den, secret, outsider, _insider = await beside_a_private_room(open_tab, make_user)
    _, stranger_token = make_user()
    stranger = await room_tab(open_tab, stranger_token, outsider.path.removeprefix("/rooms/"))
    checked = threads._readable_parent

    def answered_meanwhile(session, user_id: int, parent_id: int, room_id: int | None = None):
        if user_id != owner.id:  # the outsider's check: the thread goes on meanwhile, delivered before it ends
            for n in range(3):
                answer = perform(thread_actions.reply, owner.id, secret.id, f"private reply {n}", f"{user_id}-{n}")
                asyncio.run_coroutine_threadsafe(answer, server._loops[-1]).result()
        return checked(session, user_id, parent_id, room_id)

    monkeypatch.setattr(threads, "_readable_parent", answered_meanwhile)
    private_from, missing_from = len(outsider.frames), len(stranger.frames)
    await outsider.call(ThreadState, "open_thread", parent_id=secret.id)
    await stranger.call(ThreadState, "open_thread", parent_id=secret.id + 1_000_000)
    # Frames reach a socket in order: once the handler's answer is in, anything the group sent it is too.
    await outsider.wait_for(lambda: outsider.var(RoomState, "error") == "Message not found.")
    await stranger.wait_for(lambda: stranger.var(RoomState, "error") == "Message not found.")

    seen = repr(outsider.frames[private_from:])
    assert "private reply" not in seen and "secret plan" not in seen
    assert outsider.thread() == [] and outsider.var(ThreadState, "thread_parent", 0) == 0
    assert _room_and_thread(outsider, private_from) == _room_and_thread(
        stranger, missing_from
    )  # the same answer as no such message
    assert db.call(threads.thread, owner.id, secret.id)[0].reply_count == 6  # the thread went on meanwhile


# --- attack 9: webhooks ----------------------------------------------------------------------------------


async def make_hook(tab, name: str) -> str:
    """Ask the room's settings panel for a webhook: the URL it shows, or the error it says."""
    frames = len(tab.frames)
    await tab.call(WebhooksState, "create_hook", form={"name": name})
    state = WebhooksState.get_full_name()
    await tab.wait_for(lambda: any(state in (frame.get("delta") or {}) for frame in tab.frames[frames:]))
    return tab.var(WebhooksState, "hook_url") or tab.var(WebhooksState, "hook_error")


@pytest.fixture
def bcrypt_calls(monkeypatch) -> list[str]:
    """Every bcrypt hash or check made from now on (by its function's name), in the tests and the backend."""
    calls: list[str] = []
    for name in ("hashpw", "checkpw"):
        real = getattr(bcrypt, name)

        def recorded(*args, real=real, name=name):
            calls.append(name)
            return real(*args)

        monkeypatch.setattr(bcrypt, name, recorded)
    return calls


async def test_webhooks_are_capped_per_room_charged_like_rooms_and_their_bots_cost_no_bcrypt_and_stay_off_the_at_list(
    open_tab, make_user, monkeypatch, bcrypt_calls
):
    """56 webhooks in 7 s made 56 bots in everyone's @ list, each hashed with bcrypt on the database threads."""
    owner, owner_token = make_user()
    first = db.call(rooms.create_room, unique("Builds "), "", owner.id)
    second = db.call(rooms.create_room, unique("Deploys "), "", owner.id)
    monkeypatch.setattr(settings, "WEBHOOKS_PER_ROOM", 2)
    monkeypatch.setattr(throttle, "CREATE_LIMITS", [parse("3 per minute")])
    tab = await room_tab(open_tab, owner_token, first.slug)
    bcrypt_calls.clear()

    made = [await make_hook(tab, f"hook {n}") for n in range(3)]
    assert [url.startswith(settings.PUBLIC_URL) for url in made[:2]] == [True, True]
    assert made[2] == "A room has at most 2 webhooks: revoke one first."
    assert bcrypt_calls == []  # a bot has no password: nothing hashed, on any thread
    bots = [hook["bot"] for hook in tab.var(WebhooksState, "hooks")]
    assert sorted(bots) == ["hook-0-webhook", "hook-1-webhook"]
    with db.session() as session:
        stored = set(session.exec(select(User.password_hash).where(col(User.username).in_(bots))).all())
    assert stored == {accounts.NO_PASSWORD} and not accounts.check_password("", accounts.NO_PASSWORD)
    assert bcrypt_calls == []  # refused without bcrypt, and no hash bcrypt could read

    other = await room_tab(open_tab, owner_token, second.slug)
    assert await make_hook(other, "elsewhere") == "You are making webhooks too fast. Try again later."

    await tab.call(RoomState, "load_mention_names")
    names = await tab.wait_for(lambda: tab.var(RoomState, "mention_names"))
    assert owner.username in names and not set(bots) & set(names)


async def test_a_webhook_stops_when_its_maker_loses_the_room_or_is_disabled_and_a_disabled_bot_posts_nowhere(
    make_user, backend_url
):
    """Webhooks kept posting after their maker left or was disabled, and a disabled bot still posted."""
    owner, _ = make_user()
    heir, _ = make_user()
    boss, _ = make_user()
    make_admin(boss.id)
    stranger = await http(backend_url, "POST", MADE_UP, json={"text": "hello"})
    assert stranger == (404, {"ok": False, "error": "No such webhook."})

    den = db.call(rooms.create_room, unique("Den "), "", owner.id, True)
    db.call(members.invite, owner.id, den.id, heir.username)
    left_behind, _ = webhook_in(den.id, owner.id)
    assert (await http(backend_url, "POST", left_behind, json={"text": "before"}))[0] == 200
    db.call(members.leave, owner.id, den.id)  # the heir owns the room now, not the webhook's maker
    assert await http(backend_url, "POST", left_behind, json={"text": "after leaving"}) == stranger

    hall = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    makers, _ = webhook_in(hall.id, owner.id, "makers")
    disabled, bot_id = webhook_in(hall.id, owner.id, "bots")
    assert (await http(backend_url, "POST", makers, json={"text": "before"}))[0] == 200
    db.call(admin.disable_user, boss.id, bot_id)
    assert await http(backend_url, "POST", disabled, json={"text": "a disabled bot"}) == stranger
    db.call(admin.disable_user, boss.id, owner.id)
    assert await http(backend_url, "POST", makers, json={"text": "after the maker was disabled"}) == stranger
    said = [m.body for room in (den, hall) for m in db.call(messages.newest_messages, room.id, 10)]
    assert said == ["before", "before"]


def test_a_webhook_cannot_take_the_bot_name_of_a_hook_enabled_later(make_user):
    """A webhook named "echo" took "echo-bot": the echo hook, enabled later, posted as the room owner's bot."""
    owner, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    label = unique("echo")
    view, _ = db.call(webhooks.create, owner.id, hall.id, label)
    hook_bot = accounts.bot_username(label, "hook")
    assert view.bot == f"{label}-webhook" and hook_bot == f"{label}-bot"
    assert db.call(hooks.bot_account, hook_bot) != db.call(user_id, view.bot)  # the hook gets a bot of its own
    # A webhook's bot made before the names were apart is not taken over by a hook either.
    with db.session() as session:
        session.execute(
            update(User)
            .where(User.username == view.bot)
            .values(username=f"{label}-old-bot", username_key=f"{label}-old-bot")
        )
        session.commit()
    with pytest.raises(hooks.HookError):
        db.call(hooks.bot_account, f"{label}-old-bot")


# --- attack 10: the REST API --------------------------------------------------------------------------------


def token_for(user_id: int) -> str:
    return db.call(api_tokens.create, user_id, unique("script "), ["read", "post"], 30)[1]


async def test_an_accounts_tokens_share_one_api_budget(make_user, backend_url, monkeypatch):
    """15 tokens made at once each had their own API_LIMITS."""
    monkeypatch.setattr(throttle, "API_LIMITS", [parse("3 per minute")])
    user, _ = make_user()
    tokens = [token_for(user.id) for _ in range(4)]
    statuses = [(await http(backend_url, "GET", "/api/v1/me", token))[0] for token in tokens]
    assert statuses == [200, 200, 200, 429]


async def test_api_reactions_edits_and_deletions_spend_the_sending_budget(make_user, backend_url, monkeypatch):
    """24 reactions through the API in 0.2 s: the browser's reactions are charged to SEND_LIMITS, the API's were not."""
    monkeypatch.setattr(throttle, "SEND_LIMITS", [parse("3 per minute")])
    user, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", user.id)
    mine = [db.call(messages.post_message, hall.id, user.id, f"note {n}") for n in range(2)]
    token = token_for(user.id)
    react = f"/api/v1/messages/{mine[0].id}/reactions/"
    spent = [
        (await http(backend_url, "PUT", react + quote("👍"), token))[0],
        (await http(backend_url, "PATCH", f"/api/v1/messages/{mine[0].id}", token, json={"text": "edited"}))[0],
        (await http(backend_url, "DELETE", f"/api/v1/messages/{mine[1].id}", token))[0],
    ]
    assert spent == [200, 200, 204]
    over = [
        (await http(backend_url, "PUT", react + quote("🎉"), token))[0],
        (await http(backend_url, "DELETE", react + quote("👍"), token))[0],
        (await http(backend_url, "PATCH", f"/api/v1/messages/{mine[0].id}", token, json={"text": "again"}))[0],
    ]
    assert over == [429, 429, 429]
    [note] = [m for m in db.call(messages.newest_messages, hall.id, 10) if m.id == mine[0].id]
    assert (note.body, [r.emoji for r in note.reactions]) == ("edited", ["👍"])


# --- attack 11: SMTP credentials only over TLS --------------------------------------------------------------


class Mailbox:
    """A real SMTP server's handler (aiosmtpd) that offers no STARTTLS but takes AUTH: what it was told."""

    def __init__(self) -> None:
        self.logins: list[object] = []
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.received.append(envelope.content)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.logins.append(auth_data)
        return AuthResult(success=True)


@pytest.fixture
def plain_smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with socket.socket() as probe:  # aiosmtpd's controller needs a port number given to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=box.authenticate, auth_require_tls=False
    )
    controller.start()
    yield box, port
    controller.stop()


async def test_smtp_credentials_never_go_in_clear_to_a_server_without_starttls(plain_smtp, monkeypatch, caplog):
    """A server that offered no STARTTLS received the SMTP password in clear (AUTH PLAIN), then reset links."""
    box, port = plain_smtp
    letter = mail.compose("someone@example.com", "Reset your password", "a secret link")
    monkeypatch.setattr(settings, "SMTP_URL", f"smtp://mailer:hunter2@127.0.0.1:{port}")
    with caplog.at_level(logging.WARNING, logger=mail.log.name):
        assert await mail.send(letter) is False
    assert box.logins == [] and box.received == []
    assert "goes only over TLS" in caplog.text and "hunter2" not in caplog.text

    monkeypatch.setattr(settings, "SMTP_URL", f"smtp://mailer:hunter2@127.0.0.1:{port}?tls=none")  # said so
    assert await mail.send(letter) is True
    assert len(box.logins) == 1 and len(box.received) == 1


# --- hygiene ----------------------------------------------------------------------------------------------


async def test_a_webhook_url_is_resolved_before_its_body_is_read(make_user, backend_url):
    """The route read the whole body before it looked the token up: a made-up URL held 32 MB. Now a made-up URL
    is answered before the body arrives, and a real one declaring more than WEBHOOK_MAX_BYTES is refused unread."""
    owner, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    path, _ = webhook_in(hall.id, owner.id)
    assert await status_of_partial_post(backend_url, MADE_UP, 1000, b'{"text": "') == 404
    assert await status_of_partial_post(backend_url, path, settings.WEBHOOK_MAX_BYTES + 1, b'{"text": "') == 413


async def test_deeply_nested_json_to_a_webhook_is_a_bad_request_not_a_crash(make_user, backend_url):
    owner, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", owner.id)
    path, _ = webhook_in(hall.id, owner.id)
    too_deep_to_parse = '{"text": ' + "[" * 30_000 + "]" * 30_000 + "}"
    too_deep_to_walk = '{"blocks": ' + "[" * 900 + '"hi"' + "]" * 900 + "}"
    for body in (too_deep_to_parse, too_deep_to_walk):
        status, answer = await http(backend_url, "POST", path, data=body, headers={"Content-Type": "application/json"})
        assert (status, answer["ok"]) == (400, False)
    assert (await http(backend_url, "POST", path, json={"text": "still works"}))[0] == 200


async def test_a_made_up_unsubscribe_link_takes_no_write_lock(backend_url):
    """The anonymous unsubscribe POST took SQLite's write lock before it looked its token up."""
    if db.get_engine().url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock: PostgreSQL's writers do not wait for each other so")
    writer = sqlite3.connect(db.get_engine().url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # someone else is writing
    try:
        assert await http(backend_url, "POST", "/_unsubscribe/made-up", data=ONE_CLICK) == (
            404,
            "This link has expired.",
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()


async def test_the_unsubscribe_door_has_a_budget_per_address(backend_url, monkeypatch):
    monkeypatch.setattr(throttle, "UNSUBSCRIBE_PER_CLIENT", [parse("3 per minute")])
    statuses = [(await http(backend_url, "POST", f"/_unsubscribe/made-up-{n}", data=ONE_CLICK))[0] for n in range(4)]
    assert statuses == [404, 404, 404, 429]


async def test_client_budgets_count_an_ipv6_network_by_its_64(monkeypatch):
    """Budgets per client were keyed by the whole IPv6 address: one /64 is 2^64 clients."""
    monkeypatch.setattr(throttle, "LOGIN_PER_CLIENT", parse("2 per minute"))
    network = f"2001:db8:{uuid.uuid4().int % 0xFFFF:x}:1::"
    for host in ("1", "2"):
        await throttle.before_login(unique("name"), network + host)
    with pytest.raises(throttle.Throttled):
        await throttle.before_login(unique("name"), network + "ffff:1")
    await throttle.before_login(unique("name"), network.replace(":1::", ":2::") + "1")  # the next /64


async def test_an_idempotency_key_of_64_characters_is_kept_whole(make_user, backend_url):
    """A 64-character Idempotency-Key was cut to 60: two keys that differ at the end posted one message."""
    user, _ = make_user()
    hall = db.call(rooms.create_room, unique("Hall "), "", user.id)
    token = token_for(user.id)
    path = f"/api/v1/rooms/{hall.slug}/messages"

    async def post(key: str) -> int:
        status, message = await http(
            backend_url, "POST", path, token, json={"text": "deploy"}, headers={"Idempotency-Key": key}
        )
        assert status == 201
        return message["id"]

    first, second = "k" * 60 + "0001", "k" * 60 + "0002"
    ids = [await post(first), await post(second), await post(first)]
    assert ids[0] != ids[1] and ids[2] == ids[0]
