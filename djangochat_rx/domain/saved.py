"""Saved messages: a person keeps any message they can read for later; the Saved page lists them, newest saved
first. A message leaves the list when its reader can no longer read its room or it is deleted (the row stays
until then: reading the room again brings it back; deleting the message deletes the row with it)."""

from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, messages
from djangochat_rx.domain.messages import MessageNotFound, MessageView, NotAllowed
from djangochat_rx.models import Message, Room, SavedMessage, as_utc, utcnow


@dataclass(frozen=True)
class SavedView:
    """A saved message as the Saved page shows it: the message, its room's name and address, and when it was
    saved (ISO 8601, UTC)."""

    message: MessageView
    room_name: str
    slug: str
    saved_at: str


def _readable_message(db: Session, user_id: int, message_id: int) -> Message:
    """The message, if the user may read it and it is not deleted; else the transaction ends and
    MessageNotFound (as for no such message) or NotAllowed is raised."""
    message = db.get(Message, message_id)
    if message is None or not access.can_read_id(db, user_id, message.room_id):
        db.rollback()
        raise MessageNotFound()
    if message.deleted_at is not None:
        db.rollback()
        raise NotAllowed("This message was deleted.")
    return message


def save(db: Session, user_id: int, message_id: int) -> int:
    """Save the message for the user (saving it again changes nothing): the id of its room. At most
    SAVED_PER_USER a person."""
    database.begin_write(db)
    message = _readable_message(db, user_id, message_id)
    already = db.get(SavedMessage, (user_id, message_id)) is not None
    count = db.exec(select(func.count()).select_from(SavedMessage).where(SavedMessage.user_id == user_id)).one()
    if not already and count >= settings.SAVED_PER_USER:
        db.rollback()
        raise NotAllowed(f"You can keep at most {settings.SAVED_PER_USER} saved messages: remove some first.")
    insert = postgres_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {"user_id": user_id, "message_id": message_id, "saved_at": utcnow()}
    db.execute(insert(SavedMessage).values(row).on_conflict_do_nothing(index_elements=["user_id", "message_id"]))
    db.commit()
    return message.room_id


def unsave(db: Session, user_id: int, message_id: int) -> int:
    """Take the message off the user's saved list (nothing happens if it was not there): the id of its room (0
    for no such message: nothing is revealed about rooms the user cannot read, and there is nothing to say)."""
    database.begin_write(db)
    room_id = db.exec(select(Message.room_id).where(Message.id == message_id)).first() or 0
    db.execute(
        delete(SavedMessage).where(col(SavedMessage.user_id) == user_id, col(SavedMessage.message_id) == message_id)
    )
    db.commit()
    return room_id


def saved_in_room(db: Session, user_id: int, room_id: int) -> list[int]:
    """The ids of the messages of the room (and its threads) the user saved, for the tools on each message."""
    found = list(
        db.exec(
            select(SavedMessage.message_id)
            .join(Message, col(Message.id) == SavedMessage.message_id)
            .where(SavedMessage.user_id == user_id, Message.room_id == room_id)
        )
    )
    db.rollback()
    return found


def saved_list(db: Session, user_id: int, limit: int = settings.SAVED_LISTED) -> list[SavedView]:
    """The user's saved messages that they may still read and that are not deleted, newest saved first."""
    rows = db.exec(
        select(SavedMessage.message_id, SavedMessage.saved_at, Room.name, Room.slug)
        .join(Message, col(Message.id) == SavedMessage.message_id)
        .join(Room, col(Room.id) == Message.room_id)
        .where(
            SavedMessage.user_id == user_id,
            col(Message.deleted_at).is_(None),
            access.readable(user_id, Message.room_id),
        )
        .order_by(col(SavedMessage.saved_at).desc(), col(SavedMessage.message_id).desc())
        .limit(limit)
    ).all()
    found = messages.views_by_id(db, [row[0] for row in rows])
    db.rollback()
    return [
        SavedView(found[message_id], name, slug, as_utc(saved_at).isoformat())
        for message_id, saved_at, name, slug in rows
    ]
