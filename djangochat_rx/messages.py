"""Messages: validate, post, and read a room's history by id cursor."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import markup, settings
from djangochat_rx.models import Message, Room, User, as_utc, utcnow
from djangochat_rx.rooms import RoomNotFound


class InvalidMessage(Exception):
    """A message that cannot be posted; its text is safe to show next to the message box."""


@dataclass(frozen=True)
class MessageView:
    """A message as every viewer sees it; `html` is its sanitised Markdown, `created_at` ISO 8601 in UTC."""

    id: int
    room_id: int
    author: str
    body: str
    html: str
    created_at: str


def clean_body(text: str) -> str:
    """The text to store: newlines normalised, control characters other than newline and tab
    removed, surrounding whitespace trimmed; InvalidMessage if empty or too long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if not text:
        raise InvalidMessage("Type a message first.")
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise InvalidMessage(f"Message is {len(text)} characters; the limit is {settings.MESSAGE_MAX_CHARS}.")
    return text


def _view(message: Message, author: str) -> MessageView:
    return MessageView(
        id=message.id,
        room_id=message.room_id,
        author=author,
        body=message.body,
        html=markup.render(message.body),
        created_at=as_utc(message.created_at).isoformat(),
    )


def post_message(db: Session, room_id: int, author_id: int, text: str, client_id: str = "") -> MessageView:
    """Save a message and bump the room's counters in one transaction.

    `client_id` (the sender's random id for this message) makes a retried send idempotent: the
    message already saved under it is returned and nothing new is written.
    The room row is written first: it takes the write lock (SQLite) or the room's row lock
    (Postgres) before the id is drawn, so within a room ids are handed out in commit order.
    """
    body = clean_body(text)
    client_id = client_id[:64] or None
    now = utcnow()
    database.begin_write(db)
    if client_id is not None and (earlier := _sent_before(db, author_id, client_id)) is not None:
        if earlier.body == body:
            db.rollback()
            return earlier
        client_id = None  # a different text under a reused id is a new message, never a lost one
    bumped = db.execute(
        update(Room).where(col(Room.id) == room_id).values(message_count=Room.message_count + 1, last_message_at=now)
    )
    if bumped.rowcount != 1:
        db.rollback()
        raise RoomNotFound()
    message = Message(room_id=room_id, author_id=author_id, body=body, created_at=now, client_id=client_id)
    db.add(message)
    author = db.get(User, author_id).username
    try:
        db.commit()
    except IntegrityError:  # the same retry raced in on another connection (Postgres) and won
        db.rollback()
        earlier = _sent_before(db, author_id, client_id) if client_id is not None else None
        if earlier is None:
            raise
        return earlier
    return _view(message, author)


def _sent_before(db: Session, author_id: int, client_id: str) -> MessageView | None:
    rows = _with_authors(
        db, select(Message, User.username).where(Message.author_id == author_id, Message.client_id == client_id)
    )
    return _view(*rows[0]) if rows else None


def _with_authors(db: Session, query) -> list[tuple[Message, str]]:
    return list(db.exec(query.join(User, col(User.id) == Message.author_id)))


def newest_messages(db: Session, room_id: int, limit: int = settings.ROOM_WINDOW) -> list[MessageView]:
    """The room's newest `limit` messages, oldest first (an index scan on (room_id, id))."""
    rows = _with_authors(
        db,
        select(Message, User.username).where(Message.room_id == room_id).order_by(col(Message.id).desc()).limit(limit),
    )
    return [_view(message, author) for message, author in reversed(rows)]


def messages_after(db: Session, room_id: int, after_id: int, limit: int = settings.ROOM_WINDOW) -> list[MessageView]:
    """Up to `limit` messages of the room with id > `after_id`, oldest first."""
    rows = _with_authors(
        db,
        select(Message, User.username)
        .where(Message.room_id == room_id, col(Message.id) > after_id)
        .order_by(col(Message.id))
        .limit(limit),
    )
    return [_view(message, author) for message, author in rows]
