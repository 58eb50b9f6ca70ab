"""Slash commands typed in the message box: the built-ins (`/me`, `/poll`, `/remind`, `/shrug`, `/topic`) and those
Python hooks register (hooks.py), in one registry the message box's autocomplete lists.

`parse` turns what was typed into what to do, a `Request`: post a text (a plain message; `/me waves` as
typed, which the message row draws as "*alice waves*"; `/shrug`'s text and ¯\\_(ツ)_/¯; `//text` as
`/text`), ask a poll, set the room's topic, set a reminder (`/remind me in 10m TEXT`: a durable one, reminders.py),
or run a hook's command. Nothing here posts or changes anything: the room
page's send handler carries the request out through the actions, as it would a plain message.
"""

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from djangochat_rx.domain import markup, polls, when
from djangochat_rx.domain.messages import InvalidMessage
from djangochat_rx.domain.text import without_hidden

# ¯\_(ツ)_/¯ in Markdown: the arm's backslash and both underscores escaped, or they would vanish.
SHRUG = r"¯\\\_(ツ)\_/¯"
# A command's name: "/" and a letter, then letters, digits, "_" or "-".
NAME = re.compile(r"/[a-z][a-z0-9_-]{0,31}")
# A command typed at the start of the box: its name as typed (any case), then a space or the end.
_TYPED = re.compile(r"(/[A-Za-z][\w-]*)(?:\s+(.*))?", re.DOTALL)


class CommandError(Exception):
    """A command that cannot run as typed; the text is safe to show next to the message box (which keeps it)."""


class UnknownCommand(CommandError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"Unknown command {name}. Type / at the start of the box to see the commands "
            "(start with // to send a message that begins with /)."
        )


@dataclass(frozen=True)
class Post:
    """Post `text` as the user's message (actions.messages.send_message)."""

    text: str


@dataclass(frozen=True)
class SetTopic:
    """Set the room's topic, its description (actions.rooms.set_topic: the room's owner only)."""

    topic: str


@dataclass(frozen=True)
class Invoke:
    """Run a hook's command (hooks.invoke) with what was typed after its name."""

    name: str
    args: str


@dataclass(frozen=True)
class AskPoll:
    """Post a poll (actions.messages.ask_poll)."""

    asked: polls.Asked


@dataclass(frozen=True)
class RemindMe:
    """Set a reminder of `note` at the time `spec` names in the person's zone (actions.later.remind)."""

    spec: when.Spec
    note: str


Request = Post | SetTopic | Invoke | AskPoll | RemindMe


@dataclass(frozen=True)
class Command:
    """A command as the autocomplete lists it; a built-in turns (arguments, the whole text) into a Request,
    a hook's command (`builtin` None) runs its hook."""

    name: str
    usage: str
    help: str
    builtin: Callable[[str, str], Request] | None = None


def _me(args: str, typed: str) -> Request:
    if not args:
        raise CommandError("Usage: /me TEXT, e.g. /me waves")
    return Post(typed)


def _shrug(args: str, _typed: str) -> Request:
    return Post(f"{args} {SHRUG}" if args else SHRUG)


def _topic(args: str, _typed: str) -> Request:
    if not args:
        raise CommandError("Usage: /topic TEXT, e.g. /topic Release day")
    return SetTopic(args)


# Straight and typographic double quotes (a phone's keyboard types “ ” „).
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"'})


def _poll(args: str, _typed: str) -> Request:
    usage = 'Usage: /poll [anonymous] "Question?" "Answer" "Answer" ..., e.g. /poll "Lunch?" "Pizza" "Sushi"'
    try:
        words = shlex.split(args.translate(_QUOTES))
    except ValueError:
        raise CommandError(usage + " (a quote is not closed)") from None
    anonymous = bool(words) and words[0].lower() == "anonymous"
    words = words[1:] if anonymous else words
    if len(words) < 3:
        raise CommandError(usage)
    try:
        return AskPoll(polls.ask(words[0], words[1:], anonymous))
    except InvalidMessage as error:
        raise CommandError(str(error)) from None


REMIND_USAGE = "Usage: /remind me in 10m TEXT (m, h or d), or /remind me tomorrow at 9 TEXT"


def _remind(args: str, _typed: str) -> Request:
    who, _, rest = args.partition(" ")
    asked = when.spoken(rest) if who.lower() == "me" else None
    if asked is None or not asked[1]:
        raise CommandError(REMIND_USAGE)
    return RemindMe(*asked)


_BUILTINS = (
    Command("/me", "TEXT", "Say what you are doing: shown as your name and TEXT, in italics", _me),
    Command("/poll", '[anonymous] "QUESTION" "ANSWER" "ANSWER"...', "Ask a poll: one vote each, results live", _poll),
    Command("/remind", "me in 10m TEXT", "Remind you of TEXT later (in 10m, in 2h, tomorrow at 9)", _remind),
    Command("/shrug", "[TEXT]", "Post TEXT followed by ¯\\_(ツ)_/¯", _shrug),
    Command("/topic", "TEXT", "Set the room's topic (its description; the room's owner only)", _topic),
)
_registry: dict[str, Command] = {command.name: command for command in _BUILTINS}


def register(command: Command) -> None:
    """Add a hook's command; ValueError for a malformed name or one that is taken (built-ins included)."""
    if not NAME.fullmatch(command.name):
        raise ValueError(f"{command.name!r} is not a command name: '/', a letter, then letters, digits, _ or -.")
    if command.name in _registry:
        raise ValueError(f"The command {command.name} is already registered.")
    _registry[command.name] = command


def unregister(name: str) -> None:
    """Take a hook's command away (built-ins stay)."""
    if name not in {command.name for command in _BUILTINS}:
        _registry.pop(name, None)


def listed() -> list[Command]:
    """Every command, by name (what `/` at the start of the box offers)."""
    return sorted(_registry.values(), key=lambda command: command.name)


def parse(typed: str) -> Request:
    """What to do with the text typed in the message box: a plain message is posted as typed; UnknownCommand
    for `/name` that names no command, CommandError for a command used wrongly."""
    text = without_hidden(typed).strip()
    if text.startswith("//"):
        literal = text[1:]
        # A literal "/me ..." must not become a me message: Markdown's escape keeps the slash and shows it.
        return Post("\\" + literal if markup.me_action(literal) is not None else literal)
    found = _TYPED.fullmatch(text)
    if found is None:
        return Post(typed)
    name, args = found[1], (found[2] or "").strip()
    command = _registry.get(name)
    if command is None:
        raise UnknownCommand(name)
    return command.builtin(args, text) if command.builtin else Invoke(name, args)
