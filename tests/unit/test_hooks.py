"""Python hooks (hooks.py): loading modules, who hears which message (never a bot, never a room the bot may not
read), answers posted as the hook's bot through the send action, and hooks that fail or hang without
touching the chat. The running parts use the app's own test database, as the backend would."""

import asyncio
import logging
import sys
import threading
import uuid

import pytest

from djangochat_rx import db, settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import accounts, commands, members, messages, rooms, signup
from djangochat_rx.models import User
from djangochat_rx.notify import hooks
from tests.support.hooks import fresh_module, registered_hooks


@pytest.fixture(autouse=True)
def hook_registry():
    with registered_hooks():
        yield


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def person() -> accounts.UserView:
    return db.call(accounts.register, unique("u"), "password123", "password123")


def texts(room_id: int) -> list[tuple[str, str]]:
    return [(m.author, m.body) for m in db.call(messages.newest_messages, room_id, 50)]


async def until(predicate, timeout: float = 10.0):
    """Wait (polling) until `predicate()` is truthy; fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := predicate()):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)
    return value


# --- registry and loading --------------------------------------------------------------------------------


def test_a_hooks_module_registers_its_command_and_a_bad_path_is_logged_and_skipped(caplog):
    with caplog.at_level(logging.ERROR, logger="djangochat_rx.notify.hooks"):
        loaded = hooks.load(["djangochat_rx.notify.hooks_examples.missing", "no such module at all"])
    assert loaded == []
    assert [record.levelno for record in caplog.records] == [logging.ERROR, logging.ERROR]
    assert "djangochat_rx.notify.hooks_examples.missing" in caplog.records[0].getMessage()
    fresh_module("djangochat_rx.notify.hooks_examples.echo")
    [echo] = [hook for hook in hooks.registered() if hook.command == "/echo"]
    assert (echo.name, echo.bot) == ("djangochat_rx.notify.hooks_examples.echo.echo", "echo-bot")
    assert commands.Command("/echo", "TEXT", "The echo bot says TEXT back") in commands.listed()
    assert commands.parse("/echo hi there") == commands.Invoke("/echo", "hi there")


def test_forgetting_a_hook_takes_its_command_away():
    @hooks.command("/ping", usage="", help="Pong")
    def ping(message):
        return "pong"

    assert "/ping" in [command.name for command in commands.listed()]
    hooks.forget(ping)
    assert "/ping" not in [command.name for command in commands.listed()]
    assert hooks.registered() == []


def test_reply_outside_a_hook_is_refused():
    with pytest.raises(RuntimeError, match="only inside a hook"):
        hooks.reply("hello")


# --- who hears what ------------------------------------------------------------------------------------


def test_bot_accounts_are_made_once_never_log_in_and_are_marked_as_bots(session):
    bot_id = hooks.bot_account(session, "echo-bot")
    assert hooks.bot_account(session, "Echo-Bot") == bot_id
    assert session.get(User, bot_id).is_bot
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "echo-bot", "")
    accounts.register(session, "person-bot", "password123", "password123")
    with pytest.raises(hooks.HookError):
        hooks.bot_account(session, "person-bot")


def test_bots_made_before_anyone_set_the_instance_up_leave_it_to_be_set_up(session):
    hooks.bot_account(session, "echo-bot")
    assert signup.policy(session).needs_setup


def test_a_bots_message_is_heard_by_no_hook(session, alice, general):
    hooks.bot_account(session, "other-bot")
    assert hooks.listeners(session, general.id, "alice", ["echo-bot", "other-bot"]) == {"echo-bot", "other-bot"}
    assert hooks.listeners(session, general.id, "other-bot", ["echo-bot", "other-bot"]) == set()


def test_a_private_rooms_messages_reach_only_hooks_whose_bot_is_a_member(session, alice, bob):
    secret = rooms.create_room(session, "Secret", "", alice.id, True)
    hooks.bot_account(session, "inside-bot")
    hooks.bot_account(session, "outside-bot")
    bots = ["inside-bot", "outside-bot", "unmade-bot"]
    assert hooks.listeners(session, secret.id, "alice", bots) == set()
    members.invite(session, alice.id, secret.id, "inside-bot")
    assert hooks.listeners(session, secret.id, "alice", bots) == {"inside-bot"}
    assert hooks.may_post(session, "inside-bot", secret.id)
    assert not hooks.may_post(session, "outside-bot", secret.id)
    assert not hooks.may_post(session, "unmade-bot", secret.id)
    accounts.register(session, "carol-bot", "password123", "password123")
    members.invite(session, alice.id, secret.id, "carol-bot")
    assert hooks.listeners(session, secret.id, "alice", ["carol-bot"]) == set()  # a person, whatever the name
    rooms.archive_room(session, alice.id, secret.id)
    assert not hooks.may_post(session, "inside-bot", secret.id)


# --- running hooks ----------------------------------------------------------------------------------------


async def test_an_on_message_hook_answers_as_its_bot_and_never_hears_a_bot():
    author = person()
    room = db.call(rooms.create_room, unique("Deploys "), "", author.id)
    bot = unique("pong")
    heard = []

    @hooks.on_message(room=room.slug, bot=bot)
    def pong(message: hooks.HookMessage) -> str | None:
        heard.append(message)
        return "pong" if message.text == "ping" else None

    first = await perform(message_actions.send_message, author.id, room.id, "ping")
    await until(lambda: len(texts(room.id)) == 2)
    await perform(message_actions.send_message, author.id, room.id, "ping")
    await until(lambda: len(texts(room.id)) == 4)
    assert texts(room.id) == [(author.username, "ping"), (f"{bot}-bot", "pong")] * 2
    assert heard[0] == hooks.HookMessage(room.slug, author.username, "ping", first.id, first.seq)
    assert [message.author for message in heard] == [author.username] * 2  # the bot's pongs were not heard


async def test_a_hook_that_raises_and_one_that_hangs_are_logged_and_sending_goes_on(monkeypatch, caplog):
    monkeypatch.setattr(settings, "HOOK_TIMEOUT_SECONDS", 0.2)
    author = person()
    room = db.call(rooms.create_room, unique("Busy "), "", author.id)
    release = threading.Event()

    @hooks.on_message(room=room.slug, bot=unique("raise"))
    def raises(message):
        raise ValueError("a bug in a hook")

    @hooks.on_message(room=room.slug, bot=unique("hang"))
    def hangs(message):
        release.wait(30)

    @hooks.on_message(room=room.slug, bot=unique("async-hang"))
    async def hangs_too(message):
        await asyncio.sleep(30)

    @hooks.on_message(room=room.slug, bot=unique("fine"))
    def answers(message):
        return f"seen {message.text}"

    try:
        with caplog.at_level(logging.WARNING, logger="djangochat_rx.notify.hooks"):
            posted = await perform(message_actions.send_message, author.id, room.id, "hello")
            assert posted.body == "hello" and not release.is_set()
            await until(lambda: len(caplog.records) == 3)
            await until(lambda: len(texts(room.id)) == 2)
    finally:
        release.set()
    assert texts(room.id)[-1][1] == "seen hello"
    logged = {record.getMessage(): record for record in caplog.records}
    prefix = f"Hook {__name__}.{test_a_hook_that_raises_and_one_that_hangs_are_logged_and_sending_goes_on.__name__}"
    failed = logged[f"{prefix}.<locals>.raises failed."]
    assert failed.levelno == logging.ERROR and failed.exc_info[0] is ValueError
    for name in ("hangs", "hangs_too"):
        timed_out = logged[f"{prefix}.<locals>.{name} took more than 0.2 s and was given up."]
        assert timed_out.levelno == logging.WARNING


async def test_a_hook_does_not_hear_a_private_room_its_bot_is_not_in():
    owner = person()
    public = db.call(rooms.create_room, unique("Open "), "", owner.id)
    secret = db.call(rooms.create_room, unique("Secret "), "", owner.id, True)
    heard = []

    @hooks.on_message(bot=unique("all"))
    def everywhere(message):
        if message.room in (public.slug, secret.slug):
            heard.append(message.text)
            return "noted"

    await perform(message_actions.send_message, owner.id, secret.id, "the secret plan")
    await perform(message_actions.send_message, owner.id, public.id, "lunch?")
    await until(lambda: len(texts(public.id)) == 2)
    assert heard == ["lunch?"] and texts(secret.id) == [(owner.username, "the secret plan")]


async def test_a_command_answers_where_its_bot_may_post_and_is_refused_elsewhere():
    owner = person()
    public = db.call(rooms.create_room, unique("Open "), "", owner.id)
    secret = db.call(rooms.create_room, unique("Secret "), "", owner.id, True)
    bot = unique("say")

    @hooks.command("/say", usage="TEXT", help="Says TEXT", bot=bot)
    async def say(message: hooks.HookMessage) -> None:
        hooks.reply(f"{message.author} asked me to say: {message.text}")

    await hooks.invoke("/say", owner.username, public.id, public.slug, "hi")
    await until(lambda: texts(public.id))
    assert texts(public.id) == [(f"{bot}-bot", f"{owner.username} asked me to say: hi")]
    with pytest.raises(hooks.CannotAnswer, match=f"/say cannot answer here: its bot {bot}-bot is not in this room."):
        await hooks.invoke("/say", owner.username, secret.id, secret.slug, "psst")
    db.call(members.invite, owner.id, secret.id, f"{bot}-bot")
    await hooks.invoke("/say", owner.username, secret.id, secret.slug, "psst")
    await until(lambda: texts(secret.id))


def test_a_hooks_setting_naming_the_examples_where_they_were_still_loads_them():
    """HOOKS=djangochat_rx.hooks_examples.echo was written before the package was laid out by kind."""
    sys.modules.pop("djangochat_rx.notify.hooks_examples.echo", None)  # imported afresh: its decorators run
    assert hooks.load(["djangochat_rx.hooks_examples.echo"]) == ["djangochat_rx.hooks_examples.echo"]
    assert any(hook.command == "/echo" for hook in hooks.registered())
