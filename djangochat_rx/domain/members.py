"""Members of private rooms and direct conversations: invite, leave, remove, list, and opening a
direct conversation (one per set of people, reused afterwards). Public rooms have members too: their owner,
and the guests added to them (access.py).

A guest adds nobody to a room, and a conversation is opened only between people who may see each other
(access.sees): a guest's name is unknown to those they share no room with, and theirs to the guest."""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, accounts, availability
from djangochat_rx.domain.rooms import (
    MEMBER,
    OWNER,
    RoomError,
    RoomNotFound,
    RoomView,
    hidden_slug,
    owned_for_change,
    view,
)
from djangochat_rx.models import Room, RoomMember, User, utcnow


class MemberError(RoomError):
    """A membership change that cannot be made; its text is safe to show."""


@dataclass(frozen=True)
class MemberView:
    username: str
    role: str
    guest: bool = False
    # Their status ("🌴 On holiday", availability.py) and whether they may not be disturbed now.
    status: str = ""
    quiet: bool = False


def members(db: Session, user_id: int, room_id: int, guests_only: bool = False) -> list[MemberView]:
    """The room's members (`guests_only`: its guests), owner first then by name, for someone who may read it."""
    room = db.get(Room, room_id)
    if room is None or not access.can_read(db, user_id, room):
        raise RoomNotFound()
    status = (User.status_emoji, User.status_text, User.status_until)
    query = (
        select(User.username, RoomMember.role, User.is_guest, *status, *availability.SCHEDULE)
        .join(User, col(User.id) == RoomMember.user_id)
        .where(RoomMember.room_id == room_id)
        .order_by(col(RoomMember.role) != OWNER, col(User.username_key))
    )
    rows = db.exec(query.where(col(User.is_guest)) if guests_only else query).all()
    now = utcnow()
    return [
        MemberView(
            username,
            role,
            guest,
            availability.status_line(emoji, text, until, now),
            availability.quiet_until(availability.Schedule.read(*schedule), now) is not None,
        )
        for username, role, guest, emoji, text, until, *schedule in rows
    ]


def _active_user(db: Session, username: str, seen_by: int) -> User:
    """The active person called `username` whom `seen_by` may see (access.sees); else MemberError, the same for
    a name nobody has and for one they may not know of."""
    user = db.exec(select(User).where(User.username_key == accounts.username_key(username))).first()
    if user is None or not user.is_active or not access.may_see(db, seen_by, user.id):
        raise MemberError(f"There is no user named “{username.strip()}”.")
    return user


def add_guest(db: Session, room_id: int, guest_id: int) -> None:
    """Put guest `guest_id` in the room (a guest invite's rooms), in the caller's transaction."""
    if not access.is_member(db, guest_id, room_id):
        db.add(RoomMember(room_id=room_id, user_id=guest_id, role=MEMBER))


def invite(db: Session, member_id: int, room_id: int, username: str) -> str:
    """A member of a private room adds `username` to it; returns the invited user's name."""
    database.begin_write(db)
    room = db.get(Room, room_id)
    if room is None or not access.is_member(db, member_id, room_id):
        db.rollback()
        raise RoomNotFound()
    if room.kind != access.PRIVATE:
        db.rollback()
        raise MemberError("Only private rooms have invitations.")
    if access.is_guest(db, member_id):
        db.rollback()
        raise MemberError("Guests cannot add people to rooms.")
    try:
        user = _active_user(db, username, member_id)
    except MemberError:
        db.rollback()
        raise
    if not access.is_member(db, user.id, room_id):
        db.add(RoomMember(room_id=room_id, user_id=user.id, role=MEMBER))
    db.commit()
    return user.username


def leave(db: Session, user_id: int, room_id: int) -> None:
    """Leave a private room; an owner who leaves hands the room to its longest-standing member (a guest only when
    nobody else is left)."""
    database.begin_write(db)
    me = db.get(RoomMember, (room_id, user_id))
    room = db.get(Room, room_id)
    if me is None or room is None or room.kind == access.PUBLIC:
        db.rollback()
        raise RoomNotFound()
    db.delete(me)
    if me.role == OWNER:
        heir = db.exec(
            select(RoomMember)
            .join(User, col(User.id) == RoomMember.user_id)
            .where(RoomMember.room_id == room_id, RoomMember.user_id != user_id)
            .order_by(col(User.is_guest), col(RoomMember.joined_at), col(RoomMember.user_id))
        ).first()
        if heir is not None:
            heir.role = OWNER
    db.commit()


def remove(db: Session, owner_id: int, room_id: int, username: str) -> int:
    """The owner removes `username` from the room; returns the removed user's id."""
    owned_for_change(db, owner_id, room_id)
    try:
        user = _active_user(db, username, owner_id)
    except MemberError:
        db.rollback()
        raise
    if user.id == owner_id:
        db.rollback()
        raise MemberError("Use Leave to leave a room you own.")
    db.execute(delete(RoomMember).where(col(RoomMember.room_id) == room_id, col(RoomMember.user_id) == user.id))
    db.commit()
    return user.id


def direct_key(user_ids: Iterable[int]) -> str:
    """The key of the direct conversation of these people (one per set of people: Room.dm_key)."""
    return ":".join(map(str, sorted(user_ids)))


def direct_room(usernames: Iterable[str], key: str) -> Room:
    """A new direct conversation of `usernames` (named for them), under its `direct_key`."""
    slug = hidden_slug(access.DM)
    name = ", ".join(sorted(usernames, key=str.casefold))[:64]
    return Room(slug=slug, name=name, name_key=slug, kind=access.DM, dm_key=key)


def open_direct(db: Session, user_id: int, usernames: list[str]) -> RoomView:
    """The direct conversation of the user with `usernames` (1 to DM_MAX_PEOPLE - 1 others), created
    the first time and reused afterwards."""
    if len(usernames) > settings.DM_MAX_PEOPLE:
        raise MemberError(f"A direct conversation has 2 to {settings.DM_MAX_PEOPLE} people.")
    database.begin_write(db)
    try:
        others = {user.id: user for user in (_active_user(db, name, user_id) for name in usernames)}
    except MemberError:
        db.rollback()
        raise
    others.pop(user_id, None)
    if not 1 <= len(others) <= settings.DM_MAX_PEOPLE - 1:
        db.rollback()
        raise MemberError(f"A direct conversation has 2 to {settings.DM_MAX_PEOPLE} people.")
    ids = sorted([user_id, *others])
    strangers = [
        (others[a].username, others[b].username)
        for a, b in itertools.combinations(sorted(others), 2)
        if not access.may_see(db, a, b)
    ]
    if strangers:  # each may see the caller, not each other: a guest and someone outside their rooms
        db.rollback()
        raise MemberError(f"“{strangers[0][0]}” and “{strangers[0][1]}” cannot be in a conversation together.")
    key = direct_key(ids)
    room = db.exec(select(Room).where(Room.dm_key == key)).first()
    if room is None:
        me = db.get(User, user_id)
        room = direct_room([me.username, *(user.username for user in others.values())], key)
        try:
            db.add(room)
            db.flush()
            db.add_all([RoomMember(room_id=room.id, user_id=member, role=MEMBER) for member in ids])
            db.commit()
        except IntegrityError:  # the other person opened it at the same moment
            db.rollback()
            room = db.exec(select(Room).where(Room.dm_key == key)).first()
            if room is None:  # not that: never a server error for a unique key
                raise MemberError("The conversation could not be opened. Try again.") from None
    else:  # whoever left it is back in it (a conversation is always between all of its people)
        present = set(db.exec(select(RoomMember.user_id).where(RoomMember.room_id == room.id)))
        back = [member for member in ids if member not in present]
        db.add_all([RoomMember(room_id=room.id, user_id=member, role=MEMBER) for member in back])
        db.commit()
    return view(room)
