"""Python hooks: code of your own, on the server, that answers messages and slash commands as a bot.

`HOOKS=djangochat_rx.notify.hooks_examples.echo,...` names the modules imported at start (one that fails to import
is logged, and the app starts without it). A module registers functions with two decorators:

    from djangochat_rx.notify.hooks import command, on_message

    @on_message(room="deploys")  # a room's slug; None (the default): every room the bot may read
    def thank(message):
        if "deployed" in message.text:
            return f"Thanks @{message.author}!"

    @command("/weather", usage="CITY", help="Today's weather in CITY")
    async def weather(message):  # message.text: what follows the command
        return f"Sunny in {message.text}."

A hook gets a read-only `HookMessage` and answers by returning text, or by calling `reply(text)` (from the
hook, or later from a timer it started). The answer is posted as the hook's bot account ("<module>-bot", or
`bot="name"` for "name-bot"), made the first time it is needed, through the same send action as a person's
message and under the same access rules: an on_message hook hears only messages of rooms its bot may read
(public rooms, private ones it was added to), never a bot's (no loops); a command answers only where its
bot may post, or the invoker is told so. A command's invocation is not posted.

Hooks run after the commit, off the send path (`heard`, a subscriber of actions.publish, starts them after
the sockets' delivery; a command from the send handler), each within HOOK_TIMEOUT_SECONDS; plain functions
on HOOK_THREADS threads of their own, so a hung one holds only those. A hook that raises or overruns is
logged with its name; the chat goes on.
"""

import asyncio
import contextvars
import importlib
import inspect
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import access, accounts, commands
from djangochat_rx.domain.events import MessageSent
from djangochat_rx.models import Room, User, Webhook
from djangochat_rx.realtime.sockets import sockets

logger = logging.getLogger(__name__)


class HookError(Exception):
    """A hook's bot cannot be used (its name is a person's)."""


class CannotAnswer(commands.CommandError):
    """A hook's command was used in a room its bot may not post in (said on the invoker's page)."""


@dataclass(frozen=True)
class HookMessage:
    """What a hook is told: the room's slug, the author's username, the text, and the message's id and seq.
    For a command, `text` is what followed its name, `command` its name, and id and seq are 0 (not posted)."""

    room: str
    author: str
    text: str
    id: int = 0
    seq: int = 0
    command: str = ""


@dataclass(frozen=True)
class Hook:
    """A registered function: its name in logs, its bot's username, and what it answers (a room for
    on_message, None for every room; or a command's name)."""

    name: str
    function: Callable[[HookMessage], Any]
    bot: str
    room: str | None = None
    command: str = ""


_message_hooks: list[Hook] = []
_command_hooks: dict[str, Hook] = {}
# Bot usernames -> user ids, once looked up or made.
_bot_ids: dict[str, int] = {}
_threads = ThreadPoolExecutor(max_workers=settings.HOOK_THREADS, thread_name_prefix="hook")
# The hook a call runs for and where its answers go (reply() reads it; timers the hook starts keep it).
_answering: contextvars.ContextVar[tuple[Hook, int, asyncio.AbstractEventLoop]] = contextvars.ContextVar("answering")


def _hook(function: Callable, bot: str | None, **kind: Any) -> Hook:
    """The hook of `function`, posting as "<bot>-bot" (by default "<module>-bot": "echo" -> "echo-bot")."""
    label = bot or function.__module__.rsplit(".", 1)[-1]
    return Hook(
        f"{function.__module__}.{function.__qualname__}", function, accounts.bot_username(label, "hook"), **kind
    )


def on_message(room: str | None = None, *, bot: str | None = None) -> Callable:
    """Register a function to hear each new message of the room with slug `room` (None: of every room its
    bot may read)."""

    def register(function: Callable) -> Callable:
        _message_hooks.append(_hook(function, bot, room=room))
        return function

    return register


def command(name: str, usage: str = "", help: str = "", *, bot: str | None = None) -> Callable:
    """Register a function as the slash command `name` ("/weather"), listed with its usage and one-line help."""

    def register(function: Callable) -> Callable:
        commands.register(commands.Command(name, usage, help))
        _command_hooks[name] = _hook(function, bot, command=name)
        return function

    return register


def registered() -> list[Hook]:
    """Every registered hook: on_message ones first, then commands."""
    return [*_message_hooks, *_command_hooks.values()]


def forget(*functions: Callable) -> None:
    """Unregister every hook of these functions (and their commands)."""
    _message_hooks[:] = [hook for hook in _message_hooks if hook.function not in functions]
    for name, hook in list(_command_hooks.items()):
        if hook.function in functions:
            del _command_hooks[name]
            commands.unregister(name)


# The examples lived at djangochat_rx.hooks_examples before the package was laid out by kind: a HOOKS setting
# written then still loads them.
_MOVED_EXAMPLES = {
    f"djangochat_rx.hooks_examples.{name}": f"djangochat_rx.notify.hooks_examples.{name}" for name in ("echo",)
}


def load(paths: Iterable[str]) -> list[str]:
    """Import each hooks module (their decorators register them); one that fails is logged and skipped.
    The paths loaded."""
    loaded = []
    for path in paths:
        try:
            importlib.import_module(_MOVED_EXAMPLES.get(path, path))
        except Exception:
            logger.exception("Could not load the hooks module %r (HOOKS); the app runs without it.", path)
        else:
            loaded.append(path)
    return loaded


def start(paths: Iterable[str]) -> None:
    """At app start: load the hooks modules and make their bots, so pages opened from now on mark them as bots."""
    load(paths)
    for username in sorted({hook.bot for hook in registered()}):
        try:
            _bot_ids[username] = database.call(bot_account, username)
        except Exception:
            logger.exception("Could not make the hooks' bot account %s.", username)


# --- who hears what (plain functions on a database session) ------------------------------------------


def bot_account(db: Session, username: str) -> int:
    """The id of the bot account `username`, made the first time (never logs in, marked as a bot, like a
    webhook's); HookError when a person has that name, or a webhook (one made before webhooks' bots were
    named "-webhook": its room's owners would post as the hook)."""
    found = db.exec(select(User.id, User.is_bot).where(User.username_key == accounts.username_key(username))).first()
    webhooks = db.exec(select(Webhook.id).where(Webhook.bot_user_id == found[0])).first() if found else None
    db.rollback()
    if found is not None:
        if not found[1] or webhooks is not None:
            raise HookError(f"{username} is a person's or a webhook's account, not a hook's.")
        return found[0]
    database.begin_write(db)
    try:
        bot = accounts.insert_user(db, username, accounts.unusable_password_hash(), is_bot=True)
    except accounts.UsernameTaken:  # made meanwhile, by another worker
        return bot_account(db, username)
    db.commit()
    return bot.id


def _may_read(db: Session, username: str, room: Room) -> bool:
    """Whether the bot `username` may read `room`: any public room (a bot not made yet will be), or one it is
    a member of; never as a person's account, nor once an administrator disabled it."""
    found = db.exec(
        select(User.id, User.is_bot, User.is_active).where(User.username_key == accounts.username_key(username))
    ).first()
    if found is None:
        return access.can_read(db, None, room)
    return bool(found[1] and found[2]) and access.can_read(db, found[0], room)


def listeners(db: Session, room_id: int, author: str, bots: Iterable[str]) -> set[str]:
    """Of these bots, those whose hooks hear a message by `author` in the room: none for a bot's message."""
    room = db.get(Room, room_id)
    author_is_bot = db.exec(select(User.is_bot).where(User.username_key == accounts.username_key(author))).first()
    heard = set() if room is None or author_is_bot is not False else {bot for bot in bots if _may_read(db, bot, room)}
    db.rollback()
    return heard


def may_post(db: Session, username: str, room_id: int) -> bool:
    """Whether the bot `username` may post in the room (readable by it and not archived)."""
    room = db.get(Room, room_id)
    allowed = room is not None and room.archived_at is None and _may_read(db, username, room)
    db.rollback()
    return allowed


# --- running hooks --------------------------------------------------------------------------------------


async def heard(events: list[MessageSent]) -> None:
    """After the commit (actions.publish): run the on_message hooks of each new message in the background."""
    if _message_hooks:
        for event in events:
            sockets.spawn(_dispatch(event))


async def _dispatch(event: MessageSent) -> None:
    message = event.message
    wanted = [hook for hook in _message_hooks if hook.room in (None, event.slug)]
    if not wanted:
        return
    try:
        bots = await database.run(listeners, message.room_id, message.author, {hook.bot for hook in wanted})
    except Exception:
        logger.exception("Could not tell which hooks hear message %s.", message.id)
        return
    told = HookMessage(event.slug, message.author, message.body, message.id, message.seq)
    await asyncio.gather(*(_call(hook, told, message.room_id) for hook in wanted if hook.bot in bots))


async def invoke(name: str, author: str, room_id: int, slug: str, args: str) -> None:
    """Run the hook of command `name` for `author` in the room, in the background; CannotAnswer at once when
    its bot may not post there."""
    hook = _command_hooks.get(name)
    if hook is None:
        raise commands.UnknownCommand(name)
    if not await database.run(may_post, hook.bot, room_id):
        raise CannotAnswer(f"{name} cannot answer here: its bot {hook.bot} is not in this room.")
    sockets.spawn(_call(hook, HookMessage(slug, author, args, command=name), room_id))


async def _call(hook: Hook, message: HookMessage, room_id: int) -> None:
    """Run one hook within HOOK_TIMEOUT_SECONDS and post what it returns; its failures are logged, not raised."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    context.run(_answering.set, (hook, room_id, loop))
    if inspect.iscoroutinefunction(hook.function):
        running = loop.create_task(context.run(hook.function, message), context=context)
    else:
        running = loop.run_in_executor(_threads, context.run, hook.function, message)
    try:
        answer = await asyncio.wait_for(running, settings.HOOK_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("Hook %s took more than %s s and was given up.", hook.name, settings.HOOK_TIMEOUT_SECONDS)
        return
    except Exception:
        logger.exception("Hook %s failed.", hook.name)
        return
    if isinstance(answer, str) and answer.strip():
        await _post(hook, room_id, answer)
    elif answer is not None:
        logger.warning("Hook %s returned %s, not text; nothing was posted.", hook.name, type(answer).__name__)


def reply(text: str) -> None:
    """Post `text` as the running hook's bot in the room it was called for (returns at once). Works in the
    hook, in a plain hook's own thread, and in timers an async hook starts (asyncio keeps the context)."""
    try:
        hook, room_id, loop = _answering.get()
    except LookupError:
        raise RuntimeError("reply() works only inside a hook.") from None
    loop.call_soon_threadsafe(sockets.spawn, _post(hook, room_id, text))


async def _post(hook: Hook, room_id: int, text: str) -> None:
    """Post an answer as the hook's bot, through the send action a person's message takes."""
    try:
        if hook.bot not in _bot_ids:
            _bot_ids[hook.bot] = await database.run(bot_account, hook.bot)
        await perform(message_actions.send_message, _bot_ids[hook.bot], room_id, text)
    except Exception:
        logger.exception("Hook %s could not post its answer.", hook.name)
