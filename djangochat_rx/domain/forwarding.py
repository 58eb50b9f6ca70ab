"""Forwarding: a copy of one or several messages one may read, posted in a room or conversation one may post in,
after an optional comment. A copy keeps the original's text (it stays when the original is edited or goes) and
names the original's author; the link to the original (routes.located) opens it only for those who may read its
room, so a copy never shows where a message of a private room came from."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from djangochat_rx import routes, settings
from djangochat_rx.domain import access
from djangochat_rx.domain.messages import InvalidMessage, MessageNotFound, NotAllowed
from djangochat_rx.models import Message, Room, User

# The first line of a chosen message, as the forward form lists it.
LINE_CHARS = 80


@dataclass(frozen=True)
class Original:
    """A message to forward: its id and the text its copy says."""

    id: int
    text: str


@dataclass(frozen=True)
class Chosen:
    """A message chosen to forward, as the forward form lists it: its author and first line."""

    id: int
    author: str
    line: str


@dataclass(frozen=True)
class Target:
    """A room or conversation one may forward to: its id and name (what the forward form lists)."""

    id: int
    name: str
    kind: str


def originals(db: Session, user_id: int, message_ids: tuple[int, ...]) -> list[Original]:
    """The messages to forward, in their room's order (whatever the order given), each one the user may read and
    not deleted; MessageNotFound (as for no such message) or NotAllowed otherwise. At most FORWARD_MAX_MESSAGES."""
    return [Original(message_id, text) for message_id, _author, text in _readable(db, user_id, message_ids)]


def chosen(db: Session, user_id: int, message_ids: tuple[int, ...]) -> list[Chosen]:
    """The messages chosen to forward as the forward form lists them, in the order they would go, refused as
    `originals` refuses them."""
    found = _readable(db, user_id, message_ids)
    return [Chosen(message_id, author, _first_line(text)) for message_id, author, text in found]


def _readable(db: Session, user_id: int, message_ids: tuple[int, ...]) -> list[tuple[int, str, str]]:
    """(id, author, copy text) of each message, in room order (room, then seq); refused as `originals` says."""
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        raise InvalidMessage("Choose a message to forward.")
    if len(ids) > settings.FORWARD_MAX_MESSAGES:
        raise InvalidMessage(f"You can forward at most {settings.FORWARD_MAX_MESSAGES} messages at once.")
    found = db.exec(
        select(Message.id, User.username, Message.body, Message.file_count, Message.deleted_at)
        .join(User, col(User.id) == Message.author_id)
        .where(col(Message.id).in_(ids), access.readable(user_id, Message.room_id))
        .order_by(Message.room_id, Message.seq, Message.id)
    ).all()
    db.rollback()
    if len(found) < len(ids):
        raise MessageNotFound()
    if any(deleted_at is not None for *_, deleted_at in found):
        raise NotAllowed("A deleted message cannot be forwarded.")
    return [(message_id, author, _copy_text(body, files)) for message_id, author, body, files, _ in found]


def _first_line(text: str) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= LINE_CHARS else line[: LINE_CHARS - 1] + "…"


def _copy_text(body: str, files: int) -> str:
    """What a forwarded copy says: the original's text (its files are not copied: the copy says how many)."""
    note = f"({files} file{'s' if files != 1 else ''} not forwarded)" if files else ""
    return "\n\n".join(part for part in (body, note) if part)


def targets(db: Session, user_id: int) -> list[Target]:
    """The rooms and conversations the user may post in, by name (at most FORWARD_TARGETS_LISTED)."""
    found = [
        Target(room_id, name, kind)
        for room_id, name, kind in db.exec(
            select(Room.id, Room.name, Room.kind)
            .where(access.readable(user_id), col(Room.archived_at).is_(None))
            .order_by(Room.name_key, Room.id)
            .limit(settings.FORWARD_TARGETS_LISTED)
        )
    ]
    db.rollback()
    return found


def located(db: Session, user_id: int, message_id: int) -> str:
    """The path that shows a message (a reply: its thread beside its room), if the user may read it;
    MessageNotFound, as for no such message, otherwise."""
    found = db.exec(
        select(Message.thread_id, Message.deleted_at, Room.slug)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.id == message_id, access.readable(user_id, Message.room_id))
    ).first()
    db.rollback()
    if found is None:
        raise MessageNotFound()
    thread_id, _deleted, slug = found
    return routes.thread(slug, thread_id) if thread_id else routes.message(slug, message_id)
