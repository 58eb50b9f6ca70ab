"""Who may read and post in which room: the one place these rules live.

A public room is open to every logged-in user. A private room or a direct conversation ("dm") is
open to its members only, and to everyone else it does not exist: every path (page load, history,
fan-out, search, export, catch-up) asks here and answers "Room not found" the same as for an unknown
room. An archived room can be read by those who may read it, but nobody posts in it.

A guest (User.is_guest) reads only the rooms and conversations they are a member of, public ones included:
the public rooms they were not added to do not exist for them either. They see, and are seen by, only the
people who share a room with them (`sees`: in a public room, those who opened it): nobody else's profile,
name in a picker or new conversation.
"""

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from djangochat_rx.models import Attachment, Room, RoomMember, RoomRead, User

PUBLIC, PRIVATE, DM = "public", "private", "dm"

# Who: a user's id, a column holding one (a mention's user, a thread's follower, a user row), or None for a
# stranger. Which room: a room's id, a column holding one, or None for the Room row of the query itself.
Who = int | ColumnElement | None
Which = int | ColumnElement | None


def member_of(user: Who, room: ColumnElement | int | None = None) -> ColumnElement[bool]:
    """`user` is a member of `room` (default: the Room row of the query)."""
    return (
        exists()
        .where(RoomMember.room_id == (Room.id if room is None else room), RoomMember.user_id == user)
        .correlate_except(RoomMember)
    )


def guest(user: Who) -> ColumnElement[bool]:
    """`user` is a guest account."""
    person = aliased(User)
    return exists().where(person.id == user, col(person.is_guest)).correlate_except(person)


def readable(user: Who, room: Which = None) -> ColumnElement[bool]:
    """The read rule, as one SQL condition: `user` may read `room` (public rooms to everyone logged in but
    guests; private rooms and conversations, and for guests every room, to their members). Every query that
    decides who may read, who a mention reaches and who gets a notice, mail or push says it with this, and
    nowhere else (tests/unit/test_access.py::test_the_read_rule_is_written_only_here)."""
    if room is None:
        public = col(Room.kind) == PUBLIC
        return public if user is None else or_(and_(public, ~guest(user)), member_of(user))
    other = aliased(Room)
    public = other.kind == PUBLIC
    allowed = public if user is None else or_(and_(public, ~guest(user)), member_of(user, other.id))
    return exists().where(other.id == room, allowed).correlate_except(other)


def takes_part(person: Who, room: ColumnElement | int) -> ColumnElement[bool]:
    """`person` is in `room` as the people in it see them: they may read it, and are a member or have opened
    it (a read marker; in a public room, everyone may read it but not everyone is there)."""
    opened = exists().where(RoomRead.user_id == person, RoomRead.room_id == room).correlate_except(RoomRead)
    return and_(readable(person, room), or_(member_of(person, room), opened))


def shares_room(member: Who, other: Who) -> ColumnElement[bool]:
    """`member` is a member of a room (or conversation) that `other` takes part in."""
    membership = aliased(RoomMember)
    found = exists().where(membership.user_id == member, takes_part(other, membership.room_id))
    return found.correlate_except(membership)


def sees(viewer: Who, person: Who) -> ColumnElement[bool]:
    """`viewer` may see `person` (a profile, a name in the people pickers, a new conversation with them):
    everyone sees everyone, except that a guest sees, and is seen by, only people they share a room with."""
    return or_(and_(~guest(viewer), ~guest(person)), shares_room(viewer, person), shares_room(person, viewer))


def may_see(db: Session, viewer_id: int, person_id: int) -> bool:
    """Whether `viewer_id` may see the person `person_id` (`sees`, for one pair)."""
    return db.exec(select(User.id).where(User.id == person_id, sees(viewer_id, User.id))).first() is not None


def is_guest(db: Session, user_id: int | None) -> bool:
    return user_id is not None and db.exec(select(User.is_guest).where(User.id == user_id)).first() is True


def open_to_everyone(kind: str) -> bool:
    """Whether a room of this kind is readable by everyone logged in but guests (the rooms list they share)."""
    return kind == PUBLIC


def can_read(db: Session, user_id: int | None, room: Room) -> bool:
    """Whether `user_id` (None: someone with no account in it yet) may see `room` and its messages."""
    if user_id is None:
        return open_to_everyone(room.kind)
    if is_member(db, user_id, room.id):
        return True
    return open_to_everyone(room.kind) and not is_guest(db, user_id)


def can_read_id(db: Session, user_id: int, room_id: int) -> bool:
    """Whether `user_id` may read the room with this id (False for no such room)."""
    room = db.get(Room, room_id)
    return room is not None and can_read(db, user_id, room)


def can_post(db: Session, user_id: int, room: Room) -> bool:
    """Whether `user_id` may send to `room` (readable and not archived)."""
    return room.archived_at is None and can_read(db, user_id, room)


def is_direct(db: Session, room_id: int) -> bool:
    """Whether the room is a direct conversation."""
    return db.exec(select(Room.kind).where(Room.id == room_id)).first() == DM


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
