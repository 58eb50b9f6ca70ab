"""Pinned messages: any member of a room pins or unpins a message in it; the room's "Pinned" panel lists
them, newest first. At most PINS_PER_ROOM a room; a deleted message loses its pin (messages.erase)."""

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access
from djangochat_rx.domain.messages import MessageNotFound, MessageView, NotAllowed, views
from djangochat_rx.models import Message, Pin, Room, User, as_utc, utcnow


@dataclass(frozen=True)
class PinView:
    """A pinned message as the panel shows it: the message, who pinned it and when (ISO 8601, UTC)."""

    message: MessageView
    pinned_by: str
    pinned_at: str


def _pinnable(db: Session, user_id: int, message_id: int) -> Message:
    """The message, if the user may (un)pin it: they may read its room, the room is open, it is not deleted.
    Otherwise the transaction is ended and MessageNotFound (as for no such message) or NotAllowed raised."""
    found = db.exec(select(Message, Room.archived_at).join(Room).where(Message.id == message_id)).first()
    error = None
    if found is None or not access.can_read_id(db, user_id, found[0].room_id):
        error = MessageNotFound()
    elif found[1] is not None:
        error = NotAllowed("This room is archived; nobody can change its messages.")
    elif found[0].deleted_at is not None:
        error = NotAllowed("This message was deleted.")
    if error is not None:
        db.rollback()
        raise error
    return found[0]


def pin(db: Session, user_id: int, message_id: int) -> int:
    """Pin the message in its room (pinning it again changes nothing); the room's id."""
    database.begin_write(db)
    message = _pinnable(db, user_id, message_id)
    pinned = db.exec(select(func.count()).select_from(Pin).where(Pin.room_id == message.room_id)).one()
    already = db.get(Pin, message_id) is not None
    if not already and pinned >= settings.PINS_PER_ROOM:
        db.rollback()
        raise NotAllowed(f"A room holds at most {settings.PINS_PER_ROOM} pinned messages: unpin one first.")
    insert = postgres_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {"message_id": message_id, "room_id": message.room_id, "pinned_by_id": user_id, "pinned_at": utcnow()}
    db.execute(insert(Pin).values(row).on_conflict_do_nothing(index_elements=["message_id"]))
    db.commit()
    return message.room_id


def unpin(db: Session, user_id: int, message_id: int) -> int:
    """Take the message's pin away (there being none changes nothing); the room's id."""
    database.begin_write(db)
    message = _pinnable(db, user_id, message_id)
    db.execute(delete(Pin).where(col(Pin.message_id) == message_id))
    db.commit()
    return message.room_id


def pinned(db: Session, room_id: int) -> list[PinView]:
    """The room's pins, newest first (the caller checks that the reader may read the room): two queries, and
    one more for the users their texts mention."""
    pinner = aliased(User)
    rows = db.exec(
        select(Pin.message_id, pinner.username, Pin.pinned_at)
        .outerjoin(pinner, col(pinner.id) == Pin.pinned_by_id)
        .where(Pin.room_id == room_id)
        .order_by(col(Pin.pinned_at).desc(), col(Pin.message_id).desc())
    ).all()
    if not rows:
        return []
    query = select(Message, User.username).where(col(Message.id).in_([message_id for message_id, _, _ in rows]))
    by_id = {view.id: view for view in views(db, query)}
    return [
        PinView(by_id[message_id], pinned_by or "", as_utc(pinned_at).isoformat())
        for message_id, pinned_by, pinned_at in rows
        if message_id in by_id
    ]
