"""Rooms: create with a unique name and URL slug, list, look up by slug."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from slugify import slugify
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, text
from djangochat_rx.models import Room, RoomMember, utcnow

OWNER, MEMBER = "owner", "member"


class RoomError(Exception):
    """A room problem; its message is safe to show on the page."""


class InvalidRoom(RoomError):
    pass


class RoomNameTaken(RoomError):
    pass


class NotOwner(RoomError):
    pass


class GuestsCannot(RoomError):
    """What a guest account may not do (access.py)."""


class RoomNotFound(RoomError):
    def __init__(self) -> None:
        super().__init__("Room not found.")


@dataclass(frozen=True)
class RoomView:
    id: int
    slug: str
    name: str
    description: str
    message_count: int
    last_message_at: datetime | None
    kind: str = access.PUBLIC
    archived: bool = False
    # Retention deleted the room's messages up to this seq (retention.py): nothing older to load.
    purged_seq: int = 0


def view(room: Room) -> RoomView:
    return RoomView(
        id=room.id,
        slug=room.slug,
        name=room.name,
        description=room.description,
        message_count=room.message_count,
        last_message_at=room.last_message_at,
        kind=room.kind,
        archived=room.archived_at is not None,
        purged_seq=room.purged_seq,
    )


def validate_room(name: str, description: str) -> tuple[str, str]:
    """Trimmed name and description, or InvalidRoom saying what is wrong."""
    name = text.normalised(name)
    description = description.strip()
    if not 1 <= len(name) <= settings.ROOM_NAME_MAX_CHARS:
        raise InvalidRoom(f"Room name must be 1–{settings.ROOM_NAME_MAX_CHARS} characters.")
    if len(description) > settings.ROOM_DESCRIPTION_MAX_CHARS:
        raise InvalidRoom(f"Description must be at most {settings.ROOM_DESCRIPTION_MAX_CHARS} characters.")
    if text.has_hidden(name) or text.has_hidden(description, allowed="\n"):
        raise InvalidRoom("Room name and description cannot contain control, invisible or text-direction characters.")
    return name, description


def base_slug(name: str) -> str:
    """The URL slug a room name maps to ("General Chat" -> "general-chat"); never empty."""
    return slugify(name, max_length=settings.ROOM_SLUG_MAX_CHARS - 8, word_boundary=True) or "room"


def hidden_slug(kind: str) -> str:
    """The address of a private room or a direct conversation: 128 random bits, so nobody finds one by
    trying names or pairs of user ids. The "_" keeps it apart from every public room's slug (slugify
    never makes one), so creating a public room can neither collide with it nor reveal that it exists."""
    return f"{'dm' if kind == access.DM else 'p'}_{secrets.token_hex(16)}"


def free_slug(db: Session, name: str) -> str:
    base = base_slug(name)
    taken = set(db.exec(select(Room.slug).where(col(Room.slug).startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def name_taken(db: Session, name: str) -> bool:
    """Whether a public room has this name (in any case)."""
    return db.exec(select(Room.id).where(Room.name_key == name.casefold())).first() is not None


def new_room(db: Session, name: str, description: str, creator_id: int | None, private: bool) -> Room:
    """The row of a new room (its name checked, and free if public), addressed as its kind is: a public room by
    a slug of its name, a private one by an unguessable slug (hidden_slug)."""
    if private:
        slug = name_key = hidden_slug(access.PRIVATE)
    else:
        name_key, slug = name.casefold(), free_slug(db, name)
    kind = access.PRIVATE if private else access.PUBLIC
    return Room(slug=slug, name=name, name_key=name_key, description=description, created_by_id=creator_id, kind=kind)


def create_room(db: Session, name: str, description: str, creator_id: int | None, private: bool = False) -> RoomView:
    """A new room; its creator is its owner. A public room has a name unique among public rooms (case-
    insensitive) and a slug derived from it. A private room is seen only by its members: any name, and an
    unguessable slug (hidden_slug), so that nothing anyone creates tells them it exists."""
    name, description = validate_room(name, description)
    database.begin_write(db)
    if access.is_guest(db, creator_id):
        db.rollback()
        raise GuestsCannot("Guests cannot create rooms.")
    taken = RoomNameTaken(f"A room named “{name}” already exists.")
    if not private and name_taken(db, name):
        db.rollback()
        raise taken
    room = new_room(db, name, description, creator_id, private)
    db.add(room)
    try:
        db.flush()
        if creator_id is not None:
            db.add(RoomMember(room_id=room.id, user_id=creator_id, role=OWNER))
        db.commit()
    except IntegrityError:
        db.rollback()
        raise taken from None
    return view(room)


# How room lists are ordered: most recently active first (the newest message, or the creation before any
# message), then by name.
BY_ACTIVITY = (func.coalesce(Room.last_message_at, Room.created_at).desc(), func.lower(Room.name))


def readable_rooms(db: Session, user_id: int) -> list[RoomView]:
    """Every room `user_id` may read (public ones, and the private rooms and direct conversations they are
    in), by name."""
    found = [view(room) for room in db.exec(select(Room).where(access.readable(user_id)).order_by(col(Room.name)))]
    db.rollback()
    return found


def room_by_slug(db: Session, slug: str) -> RoomView:
    """The room at `slug`, or RoomNotFound (for code that has no user: use open_room for people)."""
    room = db.exec(select(Room).where(Room.slug == slug)).first()
    if room is None:
        raise RoomNotFound()
    return view(room)


def open_room(db: Session, user_id: int, slug: str) -> RoomView:
    """The room at `slug` if the user may read it; RoomNotFound otherwise, the same as for no room."""
    room = access.readable_room(db, user_id, slug)
    if room is None:
        raise RoomNotFound()
    return view(room)


def owned_for_change(db: Session, user_id: int, room_id: int) -> Room:
    """The room, locked for a change by its owner; RoomNotFound if unreadable, NotOwner if not theirs."""
    database.begin_write(db)
    room = db.get(Room, room_id)
    if room is None or not access.can_read(db, user_id, room):
        db.rollback()
        raise RoomNotFound()
    if not access.is_owner(db, user_id, room_id):
        db.rollback()
        raise NotOwner("Only the room's owner can do that.")
    return room


def update_room(db: Session, owner_id: int, room_id: int, name: str, description: str) -> RoomView:
    """Rename and describe a room (owner only); its address stays the same so links keep working. A public
    room's new name must be free among public rooms; a private room's name_key stays its slug."""
    name, description = validate_room(name, description)
    room = owned_for_change(db, owner_id, room_id)
    name_key = name.casefold() if room.kind == access.PUBLIC else room.name_key
    if db.exec(select(Room.id).where(Room.name_key == name_key, Room.id != room_id)).first() is not None:
        db.rollback()
        raise RoomNameTaken(f"A room named “{name}” already exists.")
    room.name, room.name_key, room.description = name, name_key, description
    db.commit()
    return view(room)


def archive_room(db: Session, owner_id: int, room_id: int, archived: bool = True) -> RoomView:
    """Archive (read-only for everyone) or re-open a room (owner only)."""
    room = owned_for_change(db, owner_id, room_id)
    room.archived_at = utcnow() if archived else None
    db.commit()
    return view(room)


def delete_room(db: Session, owner_id: int, room_id: int) -> None:
    """Delete a room and everything in it (owner only)."""
    room = owned_for_change(db, owner_id, room_id)
    db.delete(room)
    db.commit()


def room_slug(db: Session, room_id: int) -> str:
    """The address of room `room_id` ("" for none)."""
    return db.exec(select(Room.slug).where(Room.id == room_id)).first() or ""
