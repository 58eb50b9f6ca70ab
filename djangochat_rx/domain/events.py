"""What an action's commit calls for: one small typed event per change, handed to the subscribers of
actions.publish after the commit (subscribers.py).

A live event (`Event`) says what changed and whom it concerns; realtime/ delivers it to the sockets that must
hear of it (on every worker). Live events travel between workers as JSON (`to_wire` / `from_wire`), so every
field is a plain value, a tuple or a view dataclass. A mail event (`Mail`) asks for one email (mail.py); it
holds a link that logs in or resets a password, so it stays on the worker that made it and never reaches a
socket.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any

from djangochat_rx.domain.account_links import AddressChange, MailedLink
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.domain.link_previews import PreviewView
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.pins import PinView
from djangochat_rx.domain.poll_views import OptionView, PollView
from djangochat_rx.domain.reactions import ReactionView
from djangochat_rx.domain.read_receipts import SeenLine
from djangochat_rx.domain.reads import RoomSummary
from djangochat_rx.domain.signup import SignupMail


@dataclass(frozen=True)
class MessageSent:
    """A new message in a room: its room sees it, the rooms lists move, the author's read marker is past it,
    and the users it mentions (`mentioned`: username key -> the slugs of their unread mentions) get a notice."""

    message: MessageView
    room_name: str
    slug: str
    preview: str
    mentioned: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # Sent in a direct conversation: its other members get a push (push.py).
    direct: bool = False
    # Of the mentioned, those who muted the room or hear nothing of it: marked, never notified.
    quiet: tuple[str, ...] = ()
    # A direct message its author asked to notify now, though its people may not be disturbed (availability.py):
    # pushed as urgent, never held (a mute still holds).
    urgent: bool = False

    def calls_for_push(self, loud_rooms: frozenset[int] | set[int] = frozenset()) -> bool:
        """Whether someone besides the author may get a Web Push for it (push.notify reads the rest):
        a direct message, a mention, or a room where someone wants every message."""
        return (
            self.direct
            or self.message.room_id in loud_rooms
            or any(key != self.message.author.casefold() for key in self.mentioned)
        )


@dataclass(frozen=True)
class MessageChanged:
    """A message was edited, deleted by its author or removed by a moderator: its room sees the new version."""

    message: MessageView
    preview: str


@dataclass(frozen=True)
class PreviewsChanged:
    """A message's link cards came (fetched after it was sent) or its author took one away: its room sees the
    message with its cards now (with the room's next message, or within FEED_CHANGE_SECONDS: feed.py)."""

    message: MessageView


@dataclass(frozen=True)
class ReactionsChanged:
    """Someone reacted to a message or took a reaction back: its room sees the message with its reactions now."""

    message: MessageView


@dataclass(frozen=True)
class ThreadReplied:
    """A reply in a message's thread (threads.py): the thread's open panels add it, the room sees the parent
    with its new count, and each follower (`unread`: username key -> their unread replies in all the threads
    they follow now) their Threads count."""

    reply: MessageView
    parent: MessageView
    unread: dict[str, int] = dataclasses.field(default_factory=dict)
    # The room (for the notice of those it mentions), and of the mentioned those who muted the room or hear
    # nothing of it: never notified.
    room_name: str = ""
    slug: str = ""
    quiet: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreadsRead:
    """`username` read a thread's replies, or followed or stopped following one: their Threads count is `unread`."""

    username: str
    unread: int


@dataclass(frozen=True)
class ReadMoved:
    """`username` has read `slug` up to `seq`: their rooms lists update (and their unread mentions)."""

    username: str
    slug: str
    seq: int
    mentioned: tuple[str, ...]


@dataclass(frozen=True)
class ReceiptsMoved:
    """`reader`, who shares their read receipts, has read room `room_id` up to `seq`: the pages of that room of each
    author whose messages they read now show that author's new "Seen by" line (`lines`: username -> line). Only
    read-marker moves cause it, only in rooms small enough (read_receipts.py): never with a message's delivery."""

    room_id: int
    reader: str
    seq: int
    lines: dict[str, SeenLine] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Typing:
    """`username` is typing in a room (or stopped)."""

    room_id: int
    username: str
    active: bool = True


@dataclass(frozen=True)
class RoomChanged:
    """A room was created, renamed, described, archived or deleted, or its members changed.

    `summary` is the room as the rooms lists show it now (None when it is `gone`); `people` are the
    username keys whose rooms lists hold it now, `expelled` those who lost it (their sockets leave it);
    `purged`: retention deleted some of its messages (what a worker keeps of its history is read again)."""

    room_id: int
    summary: RoomSummary | None
    people: tuple[str, ...] = ()
    expelled: tuple[str, ...] = ()
    gone: bool = False
    purged: bool = False


@dataclass(frozen=True)
class PinsChanged:
    """A message was pinned or unpinned in a room (or a pinned one changed): the room's pins, newest first
    (at most settings.PINS_PER_ROOM, whatever the room's history)."""

    room_id: int
    pins: tuple[PinView, ...]


@dataclass(frozen=True)
class MutedChanged:
    """`username` muted or unmuted a room: the rooms they mute now, by slug (their lists show them last)."""

    username: str
    muted: tuple[str, ...]


@dataclass(frozen=True)
class SavedChanged:
    """`username` saved a message of a room or took one off their saved list: their pages of that room show which
    of its messages they keep saved now (`saved`: their ids, at most settings.SAVED_PER_USER)."""

    username: str
    room_id: int
    saved: tuple[int, ...]


@dataclass(frozen=True)
class AvatarChanged:
    """`username` has a new picture (`url`, its small size) or is back to the generated one (`url` empty):
    every open page shows it wherever the name appears."""

    username: str
    url: str


@dataclass(frozen=True)
class EmojiChanged:
    """The custom emoji `name` was added (`url`: its picture) or removed (`url` empty): every open page draws
    `:name:` with that picture, or as text again."""

    name: str
    url: str


@dataclass(frozen=True)
class QuietEnded:
    """`username`'s do not disturb or time off work ended while notifications waited for them: one notice (their
    open pages, and a push) sums up what waited — `mentions` unread mentions and `direct` unread direct messages."""

    username: str
    mentions: int
    direct: int


@dataclass(frozen=True)
class UserGroupsChanged:
    """A user group was created, renamed or described, deleted, or gained or lost people (`name`: its name now,
    `was`: its name before a rename): the open group pages read it again; the next `@` picker and the next
    rendering of a message read the groups as they are."""

    name: str
    was: str = ""


@dataclass(frozen=True)
class SessionsEnded:
    """These sessions were ended (logout, logout everywhere, a disabled account): their sockets are cut off."""

    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReminderDue:
    """A reminder `username` set fell due (reminders.fire): their open pages show a notice linking to the message
    (`message_id`, 0 for a note only), with its excerpt and room; push and email follow their settings."""

    username: str
    user_id: int
    reminder_id: int
    message_id: int
    excerpt: str
    room_name: str
    note: str


@dataclass(frozen=True)
class ScheduledFailed:
    """A message `username` scheduled was not sent when it fell due (the room archived, deleted or left meanwhile):
    their open pages say so (the Scheduled page lists it with `reason`)."""

    username: str
    job_id: int
    room_name: str
    reason: str


Event = (
    MessageSent
    | MessageChanged
    | ReactionsChanged
    | PreviewsChanged
    | ThreadReplied
    | ThreadsRead
    | ReadMoved
    | ReceiptsMoved
    | Typing
    | RoomChanged
    | PinsChanged
    | MutedChanged
    | SavedChanged
    | SessionsEnded
    | AvatarChanged
    | EmojiChanged
    | QuietEnded
    | UserGroupsChanged
    | ReminderDue
    | ScheduledFailed
)
_KINDS: dict[str, type] = {kind.__name__: kind for kind in Event.__args__}
# The kinds of live events (isinstance takes the tuple): what the sockets hear.
LIVE: tuple[type, ...] = tuple(_KINDS.values())


@dataclass(frozen=True)
class SignupLinkRequested:
    """Someone asked to register with an address at the allowed domain: mail it the link that finishes the
    sign-up, or the reminder that it already has an account (the same answer on the page either way)."""

    link: SignupMail


@dataclass(frozen=True)
class ResetLinkRequested:
    """The "Forgot password" form named an account with a verified address: mail it the reset link."""

    link: MailedLink


@dataclass(frozen=True)
class AddressCheckRequested:
    """A user gave a new address on their account page: mail it the link that confirms it."""

    link: MailedLink


@dataclass(frozen=True)
class AddressReplaced:
    """A confirmed address replaced a verified one: the old address is told (its owner can act if it was not
    them)."""

    change: AddressChange


Mail = SignupLinkRequested | ResetLinkRequested | AddressCheckRequested | AddressReplaced
# The kinds of mail events: what the mail subscriber hears.
MAIL: tuple[type, ...] = Mail.__args__


def to_wire(event: Event) -> dict[str, Any]:
    """The event as a JSON-ready dict (for the relay between workers)."""
    return {"type": type(event).__name__, **dataclasses.asdict(event)}


def _message(data: dict[str, Any]) -> MessageView:
    reactions = tuple(
        ReactionView(**{**reaction, "users": tuple(reaction["users"])}) for reaction in data.get("reactions", ())
    )
    files = tuple(FileView(**file) for file in data.get("files", ()))
    poll = data.get("poll")
    if poll is not None:
        options = tuple(OptionView(**{**option, "voters": tuple(option["voters"])}) for option in poll["options"])
        poll = PollView(**{**poll, "options": options})
    return MessageView(
        **{
            **data,
            "mentions": tuple(data["mentions"]),
            "reactions": reactions,
            "files": files,
            "repliers": tuple(data.get("repliers", ())),
            "poll": poll,
            "previews": tuple(PreviewView(**card) for card in data.get("previews", ())),
        }
    )


def from_wire(data: dict[str, Any]) -> Event:
    """The event `to_wire` made (tuples come back from JSON lists)."""
    fields = dict(data)
    kind = _KINDS[fields.pop("type")]
    for name in ("message", "reply", "parent"):
        if isinstance(fields.get(name), dict):
            fields[name] = _message(fields[name])
    if "pins" in fields:
        fields["pins"] = tuple(PinView(**{**pin, "message": _message(pin["message"])}) for pin in fields["pins"])
    if isinstance(fields.get("summary"), dict):
        fields["summary"] = RoomSummary(**fields["summary"])
    if "mentioned" in fields:
        mentioned = fields["mentioned"]
        fields["mentioned"] = (
            {key: tuple(slugs) for key, slugs in mentioned.items()} if isinstance(mentioned, dict) else tuple(mentioned)
        )
    if "lines" in fields:
        fields["lines"] = {name: SeenLine(line["seq"], tuple(line["by"])) for name, line in fields["lines"].items()}
    for name in ("people", "expelled", "session_ids", "quiet"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return kind(**fields)
