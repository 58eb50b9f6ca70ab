"""User groups: named groups of people (`@backend`), their pages, who manages them, and whom a group mention tells.

A name is 2-32 of a-z, 0-9, "_" and "-"; no group takes a username (in any case) nor a name a mention keeps for
several people (`@room`, `@here`, accounts.RESERVED_NAMES), and no account takes a group's name
(accounts.insert_user). An instance holds at most USER_GROUPS_MAX groups of at most USER_GROUP_MEMBERS_MAX people.

Who manages them is the instance's setting (MANAGERS_KEY, on the admin page): "admins" (administrators only) or
"members" (any member of a group adds and removes people, renames, describes and deletes it; anyone but a guest
or a bot creates one, and joins or leaves one). Administrators always may; guests never do, and see no group
page (the same answer as a group that does not exist). An administrator's change is audited.

A mention of a group (messages.author_and_mentioned) tells its active members who may read the room
(access.readable), never its author; in a group of more such people than ROOM_MENTION_OWNER_ONLY_OVER, as for
`@room`, only the room's owner may."""

import re
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import delete, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, accounts
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import SiteSetting, User, UserGroup, UserGroupMember

NAME = r"[a-z0-9_-]{2,32}"
_NAME = re.compile(NAME)
DESCRIPTION_MAX_CHARS = 200
MANAGERS_KEY = "groups.managers"
Managers = Literal["admins", "members"]
MANAGERS: dict[str, str] = {
    "members": "Each group's members (anyone but guests creates one)",
    "admins": "Administrators only",
}


class GroupRefused(Exception):
    """A group change that cannot be made; the text is safe to show."""


class GroupNotFound(GroupRefused):
    def __init__(self) -> None:
        super().__init__("There is no group by that name.")


@dataclass(frozen=True)
class GroupView:
    """A group as the Groups page lists it."""

    name: str
    description: str
    member_count: int


@dataclass(frozen=True)
class GroupPage:
    """A group's page as one viewer sees it: its members (those the viewer may see, access.sees), by name."""

    name: str
    description: str
    members: tuple[str, ...]
    member_count: int
    created_by: str
    is_member: bool
    may_manage: bool
    may_join: bool


def check_name(typed: str) -> str:
    """The name `typed` asks for ("@" dropped, lower-cased), or GroupRefused."""
    name = typed.strip().lstrip("@").lower() if isinstance(typed, str) else ""
    if not _NAME.fullmatch(name):
        raise GroupRefused("A group's name is 2 to 32 letters a-z, digits, “_” or “-”.")
    if name in accounts.RESERVED_NAMES:
        raise GroupRefused(f"“{name}” is reserved: @{name} mentions several people at once.")
    return name


def _description(typed: str) -> str:
    text = " ".join(typed.split()) if isinstance(typed, str) else ""
    if len(text) > DESCRIPTION_MAX_CHARS:
        raise GroupRefused(f"A group's description is at most {DESCRIPTION_MAX_CHARS} characters.")
    return text


def managers(db: Session) -> Managers:
    """Who manages groups here ("members" until an administrator chooses)."""
    stored = db.exec(select(SiteSetting.value).where(SiteSetting.key == MANAGERS_KEY)).first()
    return cast(Managers, stored) if stored in MANAGERS else "members"


def _person(db: Session, user_id: int) -> User | None:
    user = db.exec(select(User).where(User.id == user_id).execution_options(populate_existing=True)).first()
    return user if user is not None and user.is_active else None


def _is_member(db: Session, group_id: int, user_id: int) -> bool:
    found = select(UserGroupMember.user_id).where(
        UserGroupMember.group_id == group_id, UserGroupMember.user_id == user_id
    )
    return db.exec(found).first() is not None


def may_see(db: Session, user_id: int) -> bool:
    """Whether the user sees groups' pages: anyone active but a guest."""
    user = _person(db, user_id)
    db.rollback()
    return user is not None and not user.is_guest


def may_create(db: Session, user_id: int) -> bool:
    """An administrator; with "members" managing, anyone active but a guest or a bot."""
    user = _person(db, user_id)
    return user is not None and (user.is_admin or (not user.is_guest and not user.is_bot and managers(db) == "members"))


def _may_manage(db: Session, user: User | None, group_id: int) -> bool:
    if user is None or user.is_guest:
        return False
    return user.is_admin or (managers(db) == "members" and _is_member(db, group_id, user.id))


def _group(db: Session, viewer: User | None, typed: str, lock: bool = False) -> UserGroup:
    """The group called `typed`, for a viewer who may see groups (active, not a guest); GroupNotFound otherwise
    (a guest hears what a stranger to a name hears)."""
    name = typed.strip().lstrip("@").lower() if isinstance(typed, str) else ""
    query = select(UserGroup).where(UserGroup.name == name).execution_options(populate_existing=True)
    group = db.exec(query.with_for_update() if lock else query).first() if _NAME.fullmatch(name) else None
    if group is None or viewer is None or viewer.is_guest:
        db.rollback()
        raise GroupNotFound()
    return group


def _managed(db: Session, actor_id: int, typed: str) -> tuple[User, UserGroup]:
    """In a write transaction: the actor and the group they may manage; GroupNotFound or GroupRefused otherwise."""
    database.begin_write(db)
    actor = _person(db, actor_id)
    group = _group(db, actor, typed, lock=True)
    if not _may_manage(db, actor, group.id):
        db.rollback()
        raise GroupRefused(
            "Only administrators manage groups here."
            if managers(db) == "admins"
            else "Only the group's members or an administrator may change it."
        )
    return actor, group


def _audit(db: Session, actor: User, group: UserGroup, action: str, detail: str = "") -> None:
    """An administrator's change to a group they are not managing as its member is in the audit log."""
    if actor.is_admin:
        audit(db, actor.id, f"group.{action}", f"@{group.name}", detail)


def _name_free(db: Session, name: str, group_id: int | None = None) -> None:
    if db.exec(select(User.id).where(User.username_key == name)).first() is not None:
        db.rollback()
        raise GroupRefused(f"Someone is called @{name}: choose another name.")
    taken = db.exec(select(UserGroup.id).where(UserGroup.name == name)).first()
    if taken is not None and taken != group_id:
        db.rollback()
        raise GroupRefused(f"There is already a group called @{name}.")


def _member_ids(db: Session, viewer: User, usernames: str) -> list[int]:
    """The ids of the active people named in `usernames` (commas or spaces between) whom the viewer may see;
    GroupRefused naming one that is not."""
    names = [name for name in re.split(r"[\s,]+", usernames.strip()) if name] if isinstance(usernames, str) else []
    ids = []
    for name in dict.fromkeys(name.lstrip("@") for name in names):
        found = db.exec(
            select(User.id).where(
                User.username_key == accounts.username_key(name), col(User.is_active), access.sees(viewer.id, User.id)
            )
        ).first()
        if found is None:
            db.rollback()
            raise GroupRefused(f"Nobody here is called {name[:40]}.")
        ids.append(found)
    return ids


def _count(db: Session, group_id: int) -> int:
    return db.exec(select(func.count()).where(UserGroupMember.group_id == group_id)).one()


def _add(db: Session, group: UserGroup, user_ids: list[int]) -> list[int]:
    """Add those not in it yet, within USER_GROUP_MEMBERS_MAX; the ids added."""
    present = set(db.exec(select(UserGroupMember.user_id).where(UserGroupMember.group_id == group.id)).all())
    new = [user_id for user_id in user_ids if user_id not in present]
    if len(present) + len(new) > settings.USER_GROUP_MEMBERS_MAX:
        db.rollback()
        raise GroupRefused(f"A group holds at most {settings.USER_GROUP_MEMBERS_MAX} people.")
    if new:
        db.execute(insert(UserGroupMember), [{"group_id": group.id, "user_id": user_id} for user_id in new])
    return new


def create(db: Session, actor_id: int, typed_name: str, description: str = "", usernames: str = "") -> str:
    """A new group called `typed_name` with the people named in `usernames`; with "members" managing, its maker
    is one of them. Its name; GroupRefused otherwise (not allowed, the name taken or not a name, the instance
    full)."""
    name = check_name(typed_name)
    text = _description(description)
    database.begin_write(db)
    actor = _person(db, actor_id)
    if actor is None or not may_create(db, actor_id):
        db.rollback()
        raise GroupRefused("Only administrators create groups here.")
    _name_free(db, name)
    if db.exec(select(func.count()).select_from(UserGroup)).one() >= settings.USER_GROUPS_MAX:
        db.rollback()
        raise GroupRefused(f"This server holds at most {settings.USER_GROUPS_MAX} groups; delete one first.")
    members = _member_ids(db, actor, usernames)
    if managers(db) == "members" and actor_id not in members:
        members.insert(0, actor_id)
    group = UserGroup(name=name, description=text, created_by_id=actor_id)
    db.add(group)
    try:
        db.flush()
    except IntegrityError:  # the same name created at once: the first one stands
        db.rollback()
        raise GroupRefused(f"There is already a group called @{name}.") from None
    _add(db, group, members)
    _audit(db, actor, group, "create", f"{len(members)} people")
    db.commit()
    return name


def edit(db: Session, actor_id: int, typed: str, new_name: str, description: str) -> tuple[str, str]:
    """Rename and describe a group; (its old name, its name now)."""
    name = check_name(new_name)
    text = _description(description)
    actor, group = _managed(db, actor_id, typed)
    old = group.name
    if name != old:
        _name_free(db, name, group.id)
    changes = [f"@{old} → @{name}"] if name != old else []
    changes += ["description"] if text != group.description else []
    group.name, group.description = name, text
    if changes:
        _audit(db, actor, group, "edit", ", ".join(changes))
    db.commit()
    return old, name


def delete_group(db: Session, actor_id: int, typed: str) -> str:
    """Delete a group (its members are no longer mentioned by its name, which shows as plain text again)."""
    actor, group = _managed(db, actor_id, typed)
    name = group.name
    _audit(db, actor, group, "delete", f"{_count(db, group.id)} people")
    db.execute(delete(UserGroupMember).where(col(UserGroupMember.group_id) == group.id))
    db.execute(delete(UserGroup).where(col(UserGroup.id) == group.id))
    db.commit()
    return name


def add_members(db: Session, actor_id: int, typed: str, usernames: str) -> str:
    """Add the people named in `usernames` to a group; its name."""
    actor, group = _managed(db, actor_id, typed)
    added = _add(db, group, _member_ids(db, actor, usernames))
    if added:
        names = db.exec(select(User.username).where(col(User.id).in_(added))).all()
        _audit(db, actor, group, "add", ", ".join(sorted(names)))
    db.commit()
    return group.name


def remove_member(db: Session, actor_id: int, typed: str, username: str) -> str:
    """Take someone out of a group; its name."""
    actor, group = _managed(db, actor_id, typed)
    key = accounts.username_key(username) if isinstance(username, str) else ""
    user_id = db.exec(select(User.id).where(User.username_key == key)).first()
    if user_id is None or not _is_member(db, group.id, user_id):
        db.rollback()
        raise GroupRefused(f"{username[:40] if isinstance(username, str) else ''} is not in @{group.name}.")
    db.execute(
        delete(UserGroupMember).where(
            col(UserGroupMember.group_id) == group.id, col(UserGroupMember.user_id) == user_id
        )
    )
    _audit(db, actor, group, "remove", username)
    db.commit()
    return group.name


def join(db: Session, user_id: int, typed: str) -> str:
    """With "members" managing, anyone but a guest or a bot joins a group; its name."""
    database.begin_write(db)
    user = _person(db, user_id)
    group = _group(db, user, typed, lock=True)
    if managers(db) != "members" or user.is_bot:
        db.rollback()
        raise GroupRefused("Only administrators add people to groups here.")
    _add(db, group, [user_id])
    db.commit()
    return group.name


def leave(db: Session, user_id: int, typed: str) -> str:
    """Anyone leaves a group they are in; its name."""
    database.begin_write(db)
    user = _person(db, user_id)
    group = _group(db, user, typed, lock=True)
    db.execute(
        delete(UserGroupMember).where(
            col(UserGroupMember.group_id) == group.id, col(UserGroupMember.user_id) == user_id
        )
    )
    db.commit()
    return group.name


def listed(db: Session, viewer_id: int) -> list[GroupView]:
    """Every group with how many people it holds, by name (the Groups page); nothing for a guest."""
    viewer = _person(db, viewer_id)
    if viewer is None or viewer.is_guest:
        db.rollback()
        return []
    rows = db.exec(
        select(UserGroup.name, UserGroup.description, func.count(col(UserGroupMember.user_id)))
        .join(UserGroupMember, col(UserGroupMember.group_id) == UserGroup.id, isouter=True)
        .group_by(col(UserGroup.id))
        .order_by(col(UserGroup.name))
    ).all()
    db.rollback()
    return [GroupView(name, description, count) for name, description, count in rows]


def page(db: Session, viewer_id: int, typed: str) -> GroupPage:
    """A group's page for the viewer; GroupNotFound for a guest or a name no group has."""
    viewer = _person(db, viewer_id)
    group = _group(db, viewer, typed)
    people = db.exec(
        select(User.username)
        .join(UserGroupMember, col(UserGroupMember.user_id) == User.id)
        .where(UserGroupMember.group_id == group.id, col(User.is_active), access.sees(viewer_id, User.id))
        .order_by(col(User.username_key))
    ).all()
    maker = db.exec(select(User.username).where(User.id == group.created_by_id)).first() or ""
    is_member = _is_member(db, group.id, viewer_id)
    shown = GroupPage(
        name=group.name,
        description=group.description,
        members=tuple(people),
        member_count=_count(db, group.id),
        created_by=maker,
        is_member=is_member,
        may_manage=_may_manage(db, viewer, group.id),
        may_join=not is_member and not viewer.is_bot and managers(db) == "members",
    )
    db.rollback()
    return shown


def picker_entries(db: Session, viewer_id: int) -> list[str]:
    """What the `@` picker offers for groups, "name\\tgroup · N members" each (nothing for a guest)."""
    return [
        f"{group.name}\tgroup · {group.member_count} member{'' if group.member_count == 1 else 's'}"
        for group in listed(db, viewer_id)
    ]


def existing(db: Session, names: set[str]) -> frozenset[str]:
    """Which of `names` are groups now (one query; none for no names that could be one)."""
    wanted = {name for name in names if _NAME.fullmatch(name)}
    if not wanted:
        return frozenset()
    return frozenset(db.exec(select(UserGroup.name).where(col(UserGroup.name).in_(wanted))).all())


def mentioned(
    db: Session, author_id: int, room_id: int, names: set[str]
) -> tuple[frozenset[str], dict[int, tuple[str, str]], int]:
    """For the groups among `names` (keys a message's `@name`s could be): their names, and by user id the
    (username, username_key) of their active members who may read the room, but the author; and how many such
    people the largest of them holds (one query)."""
    wanted = {name for name in names if _NAME.fullmatch(name)}
    if not wanted:
        return frozenset(), {}, 0
    readers = (
        select(UserGroupMember.group_id, User.id, User.username, User.username_key)
        .join(User, col(User.id) == UserGroupMember.user_id)
        .where(col(User.is_active), col(User.id) != author_id, access.readable(User.id, room_id))
        .subquery()
    )
    rows = db.exec(
        select(UserGroup.name, readers.c.id, readers.c.username, readers.c.username_key)
        .join(readers, readers.c.group_id == UserGroup.id, isouter=True)
        .where(col(UserGroup.name).in_(wanted))
    ).all()
    found, people, sizes = set(), {}, {}
    for name, user_id, username, key in rows:
        found.add(name)
        if user_id is not None:
            people[user_id] = (username, key)
            sizes[name] = sizes.get(name, 0) + 1
    return frozenset(found), people, max(sizes.values(), default=0)
