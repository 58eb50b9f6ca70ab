"""Administration: what an admin may see and change about users, rooms and messages, each change
written to the audit log in the same transaction.

Every function taking `actor_id` first checks that the actor is an active administrator (NotAdmin
otherwise): that check is the one every admin page and handler relies on. `create_superuser` and
`promote` are for the terminal (`python -m djangochat_rx`), which is trusted; their audit rows have no actor.
"""

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from djangochat_rx import db as database
from djangochat_rx.domain import (
    accounts,
    attachments,
    custom_emoji,
    devices,
    markup,
    messages,
    second_factor,
    site_settings,
    user_groups,
)
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.rooms import BY_ACTIVITY, RoomNotFound
from djangochat_rx.models import AuditEntry, Message, Room, SsoLink, User, UserSession, as_utc, utcnow

# Who the audit log names for actions taken from the terminal.
CLI_ACTOR = "cli"

Row = TypeVar("Row", User, Room)


class AdminError(Exception):
    """An administration problem; its message is safe to show."""


class NotAdmin(AdminError):
    def __init__(self) -> None:
        super().__init__("Only administrators can do that.")


class UserNotFound(AdminError):
    def __init__(self) -> None:
        super().__init__("User not found.")


class CannotDisableSelf(AdminError):
    def __init__(self) -> None:
        super().__init__("You cannot disable your own account.")


class AlreadyAdmin(AdminError):
    def __init__(self, username: str) -> None:
        super().__init__(f"“{username}” is already an administrator.")


class NotAnAdmin(AdminError):
    """createsuperuser was given the name of an existing ordinary user."""

    def __init__(self, username: str) -> None:
        super().__init__(
            f"A user named “{username}” already exists and is not an administrator; "
            f"to make them one, run: python -m djangochat_rx promote {username}"
        )


class OwnFactorFirst(AdminError):
    def __init__(self) -> None:
        super().__init__("Turn on two-factor sign-in for your own account first (Account page), then require it.")


class InvalidRequirement(AdminError):
    def __init__(self) -> None:
        super().__init__("Choose one of the offered rules.")


@dataclass(frozen=True)
class AdminUserView:
    """A user as the admin area lists them; `created_at` is ISO 8601 in UTC."""

    id: int
    username: str
    display_name: str
    created_at: str
    is_active: bool
    is_admin: bool
    message_count: int
    is_bot: bool = False
    # Signing in asks for a second factor (second_factor.py).
    two_factor: bool = False
    # The single sign-on providers (ids) the account signs in with (sso.py), space-separated.
    sso: str = ""
    # A guest (access.py), and when they are disabled (ISO 8601 in UTC; "" for never).
    is_guest: bool = False
    guest_until: str = ""


@dataclass(frozen=True)
class AdminRoomView:
    """Any room, private and direct ones included; `created_at` is ISO 8601 in UTC."""

    id: int
    slug: str
    name: str
    kind: str
    message_count: int
    archived: bool
    created_at: str


@dataclass(frozen=True)
class AdminMessageView:
    """A message in any room as the admin area lists it: its text as one line of plain text."""

    id: int
    room_slug: str
    room_name: str
    author: str
    text: str
    created_at: str
    deleted: bool
    removed: bool


@dataclass(frozen=True)
class AuditView:
    """One audit log entry; `actor` is the admin's username, or CLI_ACTOR for the terminal."""

    actor: str
    action: str
    target: str
    detail: str
    created_at: str


def require_admin(db: Session, actor_id: int | None) -> None:
    """NotAdmin (and the transaction ended) unless `actor_id` is an active administrator.

    A column query, never the session's cached User: a demotion committed elsewhere counts at once."""
    if not accounts.is_admin(db, actor_id):
        db.rollback()
        raise NotAdmin()


def _locked(db: Session, model: type[Row], row_id: int, missing: Exception) -> Row:
    """The row, fresh and locked for the transaction (Postgres), or `missing` raised."""
    row = db.exec(
        select(model).where(model.id == row_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if row is None:
        db.rollback()
        raise missing
    return row


def list_users(db: Session, actor_id: int, query: str = "", limit: int = 50, offset: int = 0) -> list[AdminUserView]:
    """Users whose name contains `query` (any case), in name order, with how many messages each wrote."""
    require_admin(db, actor_id)
    written = select(func.count()).where(Message.author_id == User.id).scalar_subquery()
    providers = select(func.aggregate_strings(SsoLink.provider, " ")).where(SsoLink.user_id == User.id)
    rows = db.exec(
        select(User, written, second_factor.has_factor(User.id), providers.scalar_subquery())
        .where(col(User.username_key).contains(accounts.username_key(query), autoescape=True))
        .order_by(col(User.username_key))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        AdminUserView(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            created_at=as_utc(user.created_at).isoformat(),
            is_active=user.is_active,
            is_admin=user.is_admin,
            message_count=count,
            is_bot=user.is_bot,
            two_factor=bool(enrolled),
            sso=linked or "",
            is_guest=user.is_guest,
            guest_until=as_utc(user.guest_until).isoformat() if user.guest_until else "",
        )
        for user, count, enrolled, linked in rows
    ]


def disable_user(db: Session, actor_id: int, user_id: int) -> list[int]:
    """Disable an account and delete all its sessions; returns their ids, for the caller to close the
    user's sockets. Disabling a disabled account changes nothing."""
    database.begin_write(db)
    require_admin(db, actor_id)
    if user_id == actor_id:
        db.rollback()
        raise CannotDisableSelf()
    user = _locked(db, User, user_id, UserNotFound())
    ended: list[int] = []
    if user.is_active:
        user.is_active = False
        ended = list(
            db.execute(delete(UserSession).where(UserSession.user_id == user_id).returning(UserSession.id)).scalars()
        )
        devices.forget_all(db, user_id)
        audit(db, actor_id, "user.disable", f"user:{user.username}", f"{len(ended)} sessions ended")
    db.commit()
    return ended


def enable_user(db: Session, actor_id: int, user_id: int) -> None:
    """Let a disabled account log in again (a guest whose time was over: with no end from now on)."""
    database.begin_write(db)
    require_admin(db, actor_id)
    user = _locked(db, User, user_id, UserNotFound())
    if not accounts.enabled(user):
        ended = user.guest_until is not None and as_utc(user.guest_until) <= utcnow()
        user.is_active = True
        if ended:
            user.guest_until = None
        audit(db, actor_id, "user.enable", f"user:{user.username}", "the guest's end removed" if ended else "")
    db.commit()


def make_member(db: Session, actor_id: int, user_id: int) -> None:
    """A guest becomes a full member (every public room, the directory; no end date). Audited."""
    database.begin_write(db)
    require_admin(db, actor_id)
    user = _locked(db, User, user_id, UserNotFound())
    if user.is_guest:
        user.is_guest, user.guest_until = False, None
        audit(db, actor_id, "user.make_member", f"user:{user.username}", "was a guest")
    db.commit()


def disable_expired_guests(db: Session) -> list[int]:
    """Disable the guests whose time is over (`guest_until` passed) and delete their sessions, audited; the
    ended session ids, for the caller to cut off their tabs (sign-in refuses them already: accounts.enabled)."""
    database.begin_write(db)
    expired = db.exec(
        select(User).where(col(User.is_guest), col(User.is_active), col(User.guest_until) <= utcnow()).with_for_update()
    ).all()
    ended: list[int] = []
    for user in expired:
        user.is_active = False
        gone = list(
            db.execute(delete(UserSession).where(UserSession.user_id == user.id).returning(UserSession.id)).scalars()
        )
        devices.forget_all(db, user.id)
        audit(db, None, "user.guest_expired", f"user:{user.username}", f"{len(gone)} sessions ended")
        ended += gone
    db.commit()
    return ended


def _room_view(room: Room) -> AdminRoomView:
    return AdminRoomView(
        id=room.id,
        slug=room.slug,
        name=room.name,
        kind=room.kind,
        message_count=room.message_count,
        archived=room.archived_at is not None,
        created_at=as_utc(room.created_at).isoformat(),
    )


def list_rooms(db: Session, actor_id: int) -> list[AdminRoomView]:
    """Every room, private and direct ones included, most recently active first."""
    require_admin(db, actor_id)
    return [_room_view(room) for room in db.exec(select(Room).order_by(*BY_ACTIVITY))]


def room_by_id(db: Session, actor_id: int, room_id: int) -> AdminRoomView:
    """Any one room, private and direct ones included; RoomNotFound for none."""
    require_admin(db, actor_id)
    room = db.get(Room, room_id, populate_existing=True)
    if room is None:
        raise RoomNotFound()
    return _room_view(room)


def export_room(db: Session, actor_id: int, room_id: int) -> AdminRoomView:
    """Audit an export of any room (export.room_messages calls this, then streams the messages)."""
    database.begin_write(db)
    require_admin(db, actor_id)
    room = _locked(db, Room, room_id, RoomNotFound())
    view = _room_view(room)
    audit(db, actor_id, "room.export", f"room:{room.slug}", f"“{room.name}”, {room.kind}")
    db.commit()
    return view


def set_group_managers(db: Session, actor_id: int, managers: str) -> str:
    """Choose who manages user groups: "admins" or "members" (user_groups.MANAGERS); audited."""
    database.begin_write(db)
    require_admin(db, actor_id)
    if managers not in user_groups.MANAGERS:
        db.rollback()
        raise AdminError("Choose administrators or members.")
    before = site_settings.store(db, actor_id, user_groups.MANAGERS_KEY, managers, absent="members")
    if before != managers:
        audit(db, actor_id, "groups.managers", "site", f"{before} → {managers}")
    db.commit()
    return managers


def archive_room(db: Session, actor_id: int, room_id: int, archived: bool = True) -> None:
    """Archive a room (readable, nobody posts) or, with `archived=False`, reopen it."""
    database.begin_write(db)
    require_admin(db, actor_id)
    room = _locked(db, Room, room_id, RoomNotFound())
    if (room.archived_at is not None) != archived:
        room.archived_at = utcnow() if archived else None
        audit(db, actor_id, "room.archive" if archived else "room.unarchive", f"room:{room.slug}")
    db.commit()


def delete_room(db: Session, actor_id: int, room_id: int) -> None:
    """Delete a room for good; the database's ON DELETE CASCADE takes its messages, members, read
    markers and mentions with it."""
    database.begin_write(db)
    require_admin(db, actor_id)
    room = _locked(db, Room, room_id, RoomNotFound())
    db.delete(room)
    audit(
        db, actor_id, "room.delete", f"room:{room.slug}", f"“{room.name}”, {room.kind}, {room.message_count} messages"
    )
    db.commit()


def remove_message(db: Session, actor_id: int, message_id: int) -> messages.MessageView:
    """Remove anyone's message, whenever sent: like the author's delete (text and mentions erased, a
    placeholder keeps its place), marked as removed by `actor_id`; returns the placeholder."""
    now = utcnow()
    database.begin_write(db)
    require_admin(db, actor_id)
    row = db.exec(
        select(Message, User.username, Room.slug)
        .join(User, col(User.id) == Message.author_id)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.id == message_id)
        .with_for_update(of=Message)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        db.rollback()
        raise messages.MessageNotFound()
    message, author, slug = row
    if message.deleted_at is not None:
        db.rollback()
        raise messages.NotAllowed("This message was deleted.")
    files = messages.erase(db, message, now)
    message.removed_by_id = actor_id
    audit(db, actor_id, "message.remove", f"message:{message_id}", f"by {author} in {slug}")
    db.commit()
    attachments.forget(db, files)
    return messages.view(message, author)


def recent_messages(
    db: Session, actor_id: int, room: str = "", author: str = "", before_id: int = 0, limit: int = 50
) -> list[AdminMessageView]:
    """The newest messages in every room, newest first, removed ones included; only room `room` (a slug)
    and author `author` (any case) when given, and only ids below `before_id` (the next page) when set."""
    require_admin(db, actor_id)
    query = (
        select(Message, User.username, Room.slug, Room.name)
        .join(User, col(User.id) == Message.author_id)
        .join(Room, col(Room.id) == Message.room_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    if room:
        query = query.where(Room.slug == room)
    if author:
        query = query.where(User.username_key == accounts.username_key(author))
    if before_id:
        query = query.where(col(Message.id) < before_id)
    return [
        AdminMessageView(
            id=message.id,
            room_slug=slug,
            room_name=name,
            author=username,
            text=markup.preview(message.body, 200) if message.deleted_at is None else "",
            created_at=as_utc(message.created_at).isoformat(),
            deleted=message.deleted_at is not None,
            removed=message.removed_by_id is not None,
        )
        for message, username, slug, name in db.exec(query)
    ]


def audit_log(db: Session, actor_id: int, limit: int = 100) -> list[AuditView]:
    """The newest `limit` audit entries, newest first."""
    require_admin(db, actor_id)
    rows = db.exec(
        select(AuditEntry, User.username)
        .join(User, col(User.id) == AuditEntry.actor_id, isouter=True)
        .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    ).all()
    return [
        AuditView(
            actor=actor or CLI_ACTOR,
            action=entry.action,
            target=entry.target,
            detail=entry.detail,
            created_at=as_utc(entry.created_at).isoformat(),
        )
        for entry, actor in rows
    ]


def create_superuser(db: Session, username: str, password: str, confirm: str) -> accounts.UserView:
    """A new administrator account, under the same username and password rules as registration."""
    name = accounts.validate_username(username)
    accounts.validate_password(password, confirm)
    key = accounts.username_key(name)
    existing = db.exec(select(User.username, User.is_admin).where(User.username_key == key)).first()
    db.rollback()  # end the read transaction before the slow hash
    if existing is not None:
        raise AlreadyAdmin(existing[0]) if existing[1] else NotAnAdmin(existing[0])
    user = accounts.add_account(db, name, password, is_admin=True)
    audit(db, None, "user.create_admin", f"user:{name}")
    return accounts.commit_account(db, user)


def promote(db: Session, username: str) -> accounts.UserView:
    """Make an existing user an administrator."""
    database.begin_write(db)
    user = db.exec(
        select(User)
        .where(User.username_key == accounts.username_key(username))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if user is None:
        db.rollback()
        raise UserNotFound()
    if user.is_admin:
        db.rollback()
        raise AlreadyAdmin(user.username)
    user.is_admin = True
    audit(db, None, "user.promote", f"user:{user.username}")
    db.commit()
    return accounts.view(user)


def reset_second_factor(db: Session, actor_id: int, user_id: int) -> str:
    """An administrator removes someone's second factor, for a person who lost their phone and their recovery
    codes: they sign in with the password alone (and enrol again where it is required). Audited; their name."""
    database.begin_write(db)
    require_admin(db, actor_id)
    return _reset_second_factor(db, actor_id, _locked(db, User, user_id, UserNotFound()))


def reset_second_factor_of(db: Session, username: str) -> str:
    """reset_second_factor from the terminal (`python -m djangochat_rx reset-second-factor NAME`): the way back
    in for the last administrator. Audited with no actor."""
    database.begin_write(db)
    user = db.exec(select(User).where(User.username_key == accounts.username_key(username)).with_for_update()).first()
    if user is None:
        db.rollback()
        raise UserNotFound()
    return _reset_second_factor(db, None, user)


def _reset_second_factor(db: Session, actor_id: int | None, user: User) -> str:
    username = user.username
    second_factor.remove(db, user.id)
    audit(db, actor_id, "user.second_factor_reset", f"user:{username}")
    db.commit()
    return username


def choose_emoji_adders(db: Session, actor_id: int, adders: str) -> str:
    """An administrator chooses who may add custom emoji (custom_emoji.ADDERS_LABELS: "members" or "admins"); it
    overrides the operator's CUSTOM_EMOJI_ADDERS. Audited when it changes. Who may add now."""
    database.begin_write(db)
    require_admin(db, actor_id)
    if adders not in custom_emoji.ADDERS_LABELS:
        db.rollback()
        raise InvalidRequirement()
    before = custom_emoji.adders(db)
    site_settings.store(db, actor_id, custom_emoji.ADDERS_KEY, adders)
    if before != adders:
        audit(db, actor_id, "emoji.adders", "site", f"{before} → {adders}")
    db.commit()
    return adders


def require_second_factor(db: Session, actor_id: int, chosen: str) -> second_factor.Requirement:
    """An administrator chooses who must have a second factor (second_factor.REQUIREMENTS); requiring one
    needs one of their own (OwnFactorFirst). Audited."""
    if chosen not in second_factor.REQUIREMENTS:
        raise InvalidRequirement()
    database.begin_write(db)
    require_admin(db, actor_id)
    if chosen != "off" and not second_factor.is_enrolled(db, actor_id):
        db.rollback()
        raise OwnFactorFirst()
    before = second_factor.requirement(db)
    site_settings.store(db, actor_id, second_factor.REQUIREMENT_KEY, chosen)
    audit(db, actor_id, "signup.second_factor", "site", f"{before} → {chosen}")
    db.commit()
    return second_factor.requirement(db)
