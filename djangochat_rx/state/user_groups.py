"""The Groups page (`/groups`: every user group, and a form to create one) and a group's page (`/groups/<name>`: its
description and members, with the controls of whoever may manage it). A guest sees neither (as a group that does
not exist). Both read again when a group changes (UserGroupsChanged, realtime's `watch_groups`)."""

from collections.abc import Callable
from typing import Any, Literal

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import perform
from djangochat_rx.actions import user_groups as group_actions
from djangochat_rx.domain import user_groups
from djangochat_rx.infra import throttle
from djangochat_rx.realtime import hub
from djangochat_rx.state.auth import AuthState, field


class GroupsState(AuthState):
    # "missing": a guest, or no group by the address's name (the same page either way).
    status: Literal["loading", "ready", "missing"] = "loading"
    groups: list[user_groups.GroupView] = []
    may_create: bool = False
    # The group the address names (empty on the Groups page).
    shown: str = ""
    description: str = ""
    members: list[str] = []
    member_count: int = 0
    created_by: str = ""
    is_member: bool = False
    may_manage: bool = False
    may_join: bool = False
    group_error: str = ""
    group_notice: str = ""

    def _named(self) -> str:
        """The group the address names ("" on the Groups page)."""
        name = self.group  # the address's [group] (routes.GROUP)
        return name if isinstance(name, str) else ""

    @rx.event
    async def load(self):
        """Guard the page, follow group changes, and read the list or the group."""
        identity = await self._enter_page()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.group_error, self.group_notice = "", ""
        await hub.watch_groups(self.router.session.session_id)
        await self._read(identity.user_id)
        return None

    @rx.event
    async def refresh(self):
        """A group changed (UserGroupsChanged): read the page again, as its viewer may now see it."""
        identity = await self._identity()
        if identity is not None:
            await self._read(identity.user_id)

    async def _read(self, user_id: int) -> None:
        name = self._named()
        if not name:
            if not await db.run(user_groups.may_see, user_id):
                self.status, self.groups = "missing", []
                return
            self.groups = await db.run(user_groups.listed, user_id)
            self.may_create = await db.run(user_groups.may_create, user_id)
            self.status = "ready"
            return
        try:
            shown = await db.run(user_groups.page, user_id, name)
        except user_groups.GroupNotFound:
            self.status, self.shown, self.members = "missing", "", []
            return
        self.shown, self.description, self.members = shown.name, shown.description, list(shown.members)
        self.member_count, self.created_by = shown.member_count, shown.created_by
        self.is_member, self.may_manage, self.may_join = shown.is_member, shown.may_manage, shown.may_join
        self.status = "ready"

    async def _change(self, action: Callable[..., Any], *args: Any, done: str) -> Any:
        """Make one change to groups as the session's user within their budget; its value, or None (refused:
        the page says why)."""
        identity = await self._identity()
        if identity is None:
            return None
        self.group_error, self.group_notice = "", ""
        try:
            await throttle.before_group_change(identity.user_id)
            value = await perform(action, identity.user_id, *args)
        except (throttle.Throttled, user_groups.GroupRefused) as refused:
            self.group_error = str(refused)
            return None
        self.group_notice = done
        await self._read(identity.user_id)
        return value

    @rx.event
    async def create(self, form: dict[str, Any]):
        """Create a group from the Groups page's form, then open its page."""
        name = await self._change(
            group_actions.create_group,
            field(form, "name"),
            field(form, "description"),
            field(form, "members"),
            done="Group created.",
        )
        return rx.redirect(routes.group(name)) if name else None

    @rx.event
    async def save(self, form: dict[str, Any]):
        """Rename and describe the group shown."""
        name = await self._change(
            group_actions.edit_group, self.shown, field(form, "name"), field(form, "description"), done="Saved."
        )
        return rx.redirect(routes.group(name), replace=True) if name and name != self._named() else None

    @rx.event
    async def add(self, form: dict[str, Any]):
        """Add the people named in the form to the group shown."""
        await self._change(group_actions.add_to_group, self.shown, field(form, "members"), done="Added.")

    @rx.event
    async def remove(self, username: str):
        """Take someone out of the group shown."""
        if isinstance(username, str):
            await self._change(group_actions.remove_from_group, self.shown, username, done=f"Removed {username[:40]}.")

    @rx.event
    async def join(self):
        await self._change(group_actions.join_group, self.shown, done="You joined the group.")

    @rx.event
    async def leave(self):
        await self._change(group_actions.leave_group, self.shown, done="You left the group.")

    @rx.event
    async def delete(self):
        """Delete the group shown, then go back to the Groups page."""
        gone = await self._change(group_actions.delete_group, self.shown, done="Group deleted.")
        return rx.redirect(routes.GROUPS, replace=True) if gone else None
