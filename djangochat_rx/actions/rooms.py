"""Rooms and their members: create, rename and describe, archive, delete (owner or administrator), invite,
remove, leave, open a direct conversation, and retention (the policies, and the scan that deletes old
messages). Each tells the room's open pages and the rooms lists of everyone who has the room, or just lost it."""

import contextlib
import dataclasses
from collections.abc import Iterable

from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import Outcome, perform
from djangochat_rx.domain import access, accounts, admin, members, reads, retention, rooms
from djangochat_rx.domain.events import RoomChanged
from djangochat_rx.domain.rooms import RoomView
from djangochat_rx.models import Room, RoomMember, User


def _member_keys(db: Session, room_id: int) -> tuple[str, ...]:
    query = select(User.username_key).join(RoomMember, col(RoomMember.user_id) == User.id)
    return tuple(db.exec(query.where(RoomMember.room_id == room_id).order_by(col(User.username_key))))


def _keys(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({accounts.username_key(name) for name in names}))


def room_changed(db: Session, room_id: int, expelled: Iterable[str] = ()) -> RoomChanged:
    """The room as it is now, for everyone who has it; `expelled` (usernames) lost it."""
    summary = reads.summary_of(db, room_id)
    if summary is None:  # deleted meanwhile
        return RoomChanged(room_id, None, expelled=_keys(expelled), gone=True)
    return RoomChanged(room_id, summary, people=_member_keys(db, room_id), expelled=_keys(expelled))


def _is_admin(db: Session, user_id: int) -> bool:
    return bool(db.exec(select(User.is_admin).where(User.id == user_id, col(User.is_active))).first())


def _as_admin(db: Session, user_id: int, room_id: int) -> bool:
    """Whether the change is an administrator's (audited) rather than the owner's."""
    return not access.is_owner(db, user_id, room_id) and _is_admin(db, user_id)


def create_room(db: Session, user_id: int, name: str, description: str, private: bool = False) -> Outcome[RoomView]:
    room = rooms.create_room(db, name, description, user_id, private)
    return Outcome(room, [room_changed(db, room.id)])


def update_room(db: Session, user_id: int, room_id: int, name: str, description: str) -> Outcome[RoomView]:
    """The owner renames or describes the room (its address stays)."""
    room = rooms.update_room(db, user_id, room_id, name, description)
    return Outcome(room, [room_changed(db, room_id)])


def set_topic(db: Session, user_id: int, room_id: int, topic: str) -> Outcome[RoomView]:
    """The owner sets the room's topic, its description (the /topic command), keeping its name: update_room."""
    name = db.exec(select(Room.name).where(Room.id == room_id)).first()
    db.rollback()
    if name is None:
        raise rooms.RoomNotFound()
    return update_room(db, user_id, room_id, name, topic)


def archive_room(db: Session, user_id: int, room_id: int, archived: bool = True) -> Outcome[None]:
    """The owner or an administrator archives the room (read-only for everyone) or reopens it."""
    if _as_admin(db, user_id, room_id):
        admin.archive_room(db, user_id, room_id, archived)
    else:
        rooms.archive_room(db, user_id, room_id, archived)
    return Outcome(None, [room_changed(db, room_id)])


def delete_room(db: Session, user_id: int, room_id: int) -> Outcome[None]:
    """The owner or an administrator deletes the room and everything in it; every open page loses it."""
    people = _member_keys(db, room_id)
    db.rollback()
    if _as_admin(db, user_id, room_id):
        admin.delete_room(db, user_id, room_id)
    else:
        rooms.delete_room(db, user_id, room_id)
    return Outcome(None, [RoomChanged(room_id, None, expelled=people, gone=True)])


def invite(db: Session, user_id: int, room_id: int, username: str) -> Outcome[str]:
    """A member adds `username` to a private room; the invited user's name."""
    invited = members.invite(db, user_id, room_id, username)
    return Outcome(invited, [room_changed(db, room_id)])


def remove_member(db: Session, user_id: int, room_id: int, username: str) -> Outcome[str]:
    """The owner takes `username` out of the room; their open pages lose it at once."""
    members.remove(db, user_id, room_id, username)
    return Outcome(username, [room_changed(db, room_id, expelled=[username])])


def leave(db: Session, user_id: int, room_id: int) -> Outcome[None]:
    """Leave a private room or conversation."""
    members.leave(db, user_id, room_id)
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    return Outcome(None, [room_changed(db, room_id, expelled=[username])])


def open_direct(db: Session, user_id: int, usernames: list[str]) -> Outcome[RoomView]:
    """Open (or create) the direct conversation of the user with `usernames`: it is on all their rooms lists."""
    room = members.open_direct(db, user_id, usernames)
    return Outcome(room, [room_changed(db, room.id)])


def set_retention(db: Session, admin_id: int, days: int, keep_pinned: bool) -> Outcome[retention.Policy]:
    """An administrator sets the instance's retention policy (rooms show it from their next load; the scan
    applies it)."""
    return Outcome(retention.set_policy(db, admin_id, days, keep_pinned))


def set_room_retention(db: Session, user_id: int, room_id: int, days: int) -> Outcome[int]:
    """The room's own retention policy (an administrator, or its owner shortening it): its open pages show it."""
    in_force = retention.set_room_policy(db, user_id, room_id, days)
    return Outcome(in_force, [room_changed(db, room_id)])


def purge_room(db: Session, room_id: int, days: int) -> Outcome[retention.Purged]:
    """Retention deletes the room's messages older than `days`: its open pages read it again, and the rooms
    lists show its counts without them."""
    purged = retention.purge(db, room_id, days)
    return Outcome(purged, [dataclasses.replace(room_changed(db, room_id), purged=True)] if purged.messages else [])


def retaining() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, every RETENTION_SCAN_SECONDS, purge_room each room with a policy in force (a lifespan
    task)."""
    from djangochat_rx.infra import periodic

    async def scan() -> int:
        due = await database.run(retention.due_rooms)
        return sum([(await perform(purge_room, room_id, days)).messages for room_id, days in due])

    return periodic.every(settings.RETENTION_SCAN_SECONDS, scan, "retention")
