"""Who may read and post in which room: the one place these rules live.

A public room is open to every logged-in user. A private room or a direct conversation ("dm") is
open to its members only, and to everyone else it does not exist: every path (page load, history,
fan-out, search, export, catch-up) asks here and answers "Room not found" the same as for an unknown
room. An archived room can be read by those who may read it, but nobody posts in it.
"""

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import Session, col, select

from djangochat_rx.models import Attachment, Room, RoomMember

PUBLIC, PRIVATE, DM = "public", "private", "dm"


def readable(user_id: int | None) -> ColumnElement[bool]:
    """A condition on Room: the rooms `user_id` may read (public ones only for None)."""
    public = col(Room.kind) == PUBLIC
    if user_id is None:
        return public
    member = exists().where(RoomMember.room_id == Room.id, RoomMember.user_id == user_id)
    return or_(public, member)


def can_read(db: Session, user_id: int, room: Room) -> bool:
    """Whether `user_id` may see `room` and its messages."""
    return room.kind == PUBLIC or is_member(db, user_id, room.id)


def can_read_id(db: Session, user_id: int, room_id: int) -> bool:
    """Whether `user_id` may read the room with this id (False for no such room)."""
    room = db.get(Room, room_id)
    return room is not None and can_read(db, user_id, room)


def can_post(db: Session, user_id: int, room: Room) -> bool:
    """Whether `user_id` may send to `room` (readable and not archived)."""
    return room.archived_at is None and can_read(db, user_id, room)


def is_member(db: Session, user_id: int, room_id: int) -> bool:
    return db.get(RoomMember, (room_id, user_id)) is not None


def is_owner(db: Session, user_id: int, room_id: int) -> bool:
    member = db.get(RoomMember, (room_id, user_id))
    return member is not None and member.role == "owner"


def readable_room(db: Session, user_id: int, slug: str) -> Room | None:
    """The room at `slug` if `user_id` may read it, else None (unknown and forbidden look the same)."""
    return db.exec(select(Room).where(Room.slug == slug, readable(user_id))).first()


def can_read_file(db: Session, user_id: int, attachment: Attachment) -> bool:
    """Whether `user_id` may fetch an uploaded file: one posted in a room they may read, or their own upload
    not posted yet; never one of a deleted message or room."""
    if attachment.discarded_at is not None or attachment.room_id is None:
        return False
    if attachment.message_id is None:
        return attachment.owner_id == user_id
    return can_read_id(db, user_id, attachment.room_id)
