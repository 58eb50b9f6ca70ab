"""User groups (user_groups.py): creating, renaming and describing, deleting, adding and removing people, joining
and leaving, and choosing who manages them; each tells the open group pages (UserGroupsChanged)."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import admin, user_groups
from djangochat_rx.domain.events import UserGroupsChanged


def create_group(db: Session, actor_id: int, name: str, description: str = "", usernames: str = "") -> Outcome[str]:
    """A new group with the people named in `usernames` (commas or spaces between); its name."""
    made = user_groups.create(db, actor_id, name, description, usernames)
    return Outcome(made, [UserGroupsChanged(made)])


def edit_group(db: Session, actor_id: int, name: str, new_name: str, description: str) -> Outcome[str]:
    """Rename and describe a group; its name now."""
    was, now = user_groups.edit(db, actor_id, name, new_name, description)
    return Outcome(now, [UserGroupsChanged(now, was if was != now else "")])


def delete_group(db: Session, actor_id: int, name: str) -> Outcome[str]:
    """Delete a group: `@name` is plain text again; its name."""
    gone = user_groups.delete_group(db, actor_id, name)
    return Outcome(gone, [UserGroupsChanged(gone)])


def add_to_group(db: Session, actor_id: int, name: str, usernames: str) -> Outcome[str]:
    """Add the people named in `usernames` to a group; its name."""
    group = user_groups.add_members(db, actor_id, name, usernames)
    return Outcome(group, [UserGroupsChanged(group)])


def remove_from_group(db: Session, actor_id: int, name: str, username: str) -> Outcome[str]:
    """Take someone out of a group; its name."""
    group = user_groups.remove_member(db, actor_id, name, username)
    return Outcome(group, [UserGroupsChanged(group)])


def join_group(db: Session, user_id: int, name: str) -> Outcome[str]:
    """Join a group (when its members manage groups); its name."""
    group = user_groups.join(db, user_id, name)
    return Outcome(group, [UserGroupsChanged(group)])


def leave_group(db: Session, user_id: int, name: str) -> Outcome[str]:
    """Leave a group; its name."""
    group = user_groups.leave(db, user_id, name)
    return Outcome(group, [UserGroupsChanged(group)])


def set_group_managers(db: Session, actor_id: int, chosen: str) -> Outcome[str]:
    """An administrator chooses who manages groups ("admins" or "members"): the open group pages show who may."""
    return Outcome(admin.set_group_managers(db, actor_id, chosen), [UserGroupsChanged("")])
