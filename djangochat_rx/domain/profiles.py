"""Profiles: what a user's page shows another user (join date, messages, rooms in common) and the
display name and "about" line people set for themselves."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx.domain import access, accounts, availability, text
from djangochat_rx.models import Message, Room, User

DISPLAY_NAME_MAX_CHARS = 64
ABOUT_MAX_CHARS = 200


class ProfileError(Exception):
    """A profile problem; its message is safe to show."""


class UserNotFound(ProfileError):
    def __init__(self) -> None:
        super().__init__("User not found.")


@dataclass(frozen=True)
class CommonRoom:
    slug: str
    name: str
    kind: str


@dataclass(frozen=True)
class Profile:
    username: str
    display_name: str
    about: str
    joined: datetime
    message_count: int
    rooms_in_common: tuple[CommonRoom, ...]
    # A bot account (a webhook's poster, or one an administrator made for the API).
    is_bot: bool = False
    # A guest (access.py), shown as one wherever their name appears.
    is_guest: bool = False
    # Their status line, time zone ("" unknown) and, when they may not be disturbed now, until when (ISO).
    status: str = ""
    time_zone: str = ""
    quiet_until: str = ""


def _took_part(user_id: int):
    """A condition on Room: the user is a member of it or has written in it."""
    member = access.member_of(user_id)
    wrote = exists().where(Message.room_id == Room.id, Message.author_id == user_id, col(Message.deleted_at).is_(None))
    return or_(member, wrote)


def profile(db: Session, viewer_id: int, username: str) -> Profile:
    """`username`'s profile as `viewer_id` may see it: messages counted and rooms in common only in rooms
    the viewer may read (so a private room never shows through). UserNotFound for unknown or disabled users,
    and for those the viewer may not see (a guest and someone they share no room with)."""
    user = db.exec(select(User).where(User.username_key == accounts.username_key(username))).first()
    if user is None or not user.is_active or (user.id != viewer_id and not access.may_see(db, viewer_id, user.id)):
        raise UserNotFound()
    visible = access.readable(viewer_id)
    count = db.exec(
        select(func.count())
        .select_from(Message)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.author_id == user.id, col(Message.deleted_at).is_(None), visible)
    ).one()
    common = []
    if user.id != viewer_id:
        rows = db.exec(
            select(Room.slug, Room.name, Room.kind)
            .where(visible, _took_part(viewer_id), _took_part(user.id))
            .order_by(func.lower(Room.name))
        )
        common = [CommonRoom(slug, name, kind) for slug, name, kind in rows]
    return Profile(
        username=user.username,
        display_name=user.display_name,
        about=user.about,
        joined=user.created_at,
        message_count=count,
        rooms_in_common=tuple(common),
        is_bot=user.is_bot,
        is_guest=user.is_guest,
        status=availability.status_line(user.status_emoji, user.status_text, user.status_until),
        time_zone=user.time_zone,
        quiet_until=quiet.isoformat() if (quiet := availability.quiet_until(availability.Schedule.of(user))) else "",
    )


def _clean(value: str, limit: int, what: str) -> str:
    value = text.normalised(value)
    if len(value) > limit:
        raise ProfileError(f"{what} must be at most {limit} characters.")
    if text.has_hidden(value):
        raise ProfileError(f"{what} cannot contain control, invisible or text-direction characters.")
    return value


def update_profile(db: Session, user_id: int, display_name: str, about: str) -> Profile:
    """Set the user's own display name and "about" line (either may be empty)."""
    display_name = _clean(display_name, DISPLAY_NAME_MAX_CHARS, "Display name")
    about = _clean(about, ABOUT_MAX_CHARS, "About")
    database.begin_write(db)
    user = db.get(User, user_id)
    user.display_name, user.about = display_name, about
    db.commit()
    return profile(db, user_id, user.username)
