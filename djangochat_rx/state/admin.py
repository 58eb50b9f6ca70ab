"""The admin area: users, rooms, messages and the audit log.

Every list and change goes through djangochat_rx.domain.admin, which checks that the session's user is an
active administrator: anyone else gets the area emptied and closed, whichever handler they call."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import reflex as rx

from djangochat_rx import db, routes, settings
from djangochat_rx.actions import emoji as emoji_actions
from djangochat_rx.actions import imports, joining, perform, perform_hashing
from djangochat_rx.actions import messages as message_actions
from djangochat_rx.actions import read_receipts as receipt_actions
from djangochat_rx.actions import rooms as room_actions
from djangochat_rx.actions import second_factor as factor_actions
from djangochat_rx.actions import sessions as session_actions
from djangochat_rx.actions import user_groups as group_actions
from djangochat_rx.domain import (
    accounts,
    admin,
    custom_emoji,
    messages,
    read_receipts,
    retention,
    rooms,
    second_factor,
    signup,
    sso,
    user_groups,
)
from djangochat_rx.domain.wording import counted
from djangochat_rx.http import imports as import_route
from djangochat_rx.notify import mail
from djangochat_rx.state.auth import AuthState, field, whole

# How often an open Import tab reads a running import's progress.
IMPORT_FOLLOW_SECONDS = 0.5
# Refusals whose text the page shows as it is.
_SHOWN = (admin.AdminError, rooms.RoomError, messages.InvalidMessage, accounts.AccountError, db.HashingBusy)


class AdminState(AuthState):
    # "denied": not an active administrator (the page says "Page not found" and holds no admin data).
    status: Literal["loading", "ready", "denied"] = "loading"
    users: list[admin.AdminUserView] = []
    user_query: str = ""
    user_offset: int = 0
    more_users: bool = False
    rooms: list[admin.AdminRoomView] = []
    recent: list[admin.AdminMessageView] = []
    # Messages filters: a room's slug, an author's username; `message_before` pages back by id (0: newest).
    message_room: str = ""
    message_author: str = ""
    message_before: int = 0
    more_messages: bool = False
    audit: list[admin.AuditView] = []
    # Sign-up: the mode, the newest invites, and a link just made (an invite or a password link), shown
    # once: only its hash is kept.
    signup_mode: str = ""
    # Who must sign in with a second factor (second_factor.REQUIREMENTS).
    second_factor_rule: str = "off"
    # The instance's retention policy (retention.py): days (0: keep everything), and whether pins are kept.
    retention_days: int = 0
    retention_keep_pinned: bool = True
    # Who may add custom emoji (custom_emoji.ADDERS_LABELS).
    emoji_adders: str = "members"
    # Whether passwords sign in (off: single sign-on only), and whether any provider is set up.
    password_sign_in: bool = True
    # Who manages user groups (user_groups.MANAGERS).
    group_managers: str = "members"
    sso_configured: bool = False
    # Whether read receipts may be shown here (each person still chooses to share theirs).
    read_receipts_on: bool = True
    signup_domain: str = ""
    email_enabled: bool = False
    invites: list[signup.InviteView] = []
    new_link: str = ""
    new_link_label: str = ""
    # The latest import (actions/imports.py): where an export is uploaded, and that run's progress and report.
    import_url: str = ""
    import_id: int = 0
    import_file: str = ""
    import_status: str = ""
    import_percent: int = 0
    import_counts: list[str] = []
    import_report: list[str] = []
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        """Guard the page: only an active administrator gets the lists."""
        if await self._enter_page() is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.reset()
        await self._safely(self._refresh)

    @rx.event
    async def search_users(self, form: dict[str, Any]):
        """List the users whose name contains the search text."""
        self.user_query, self.user_offset = field(form, "query").strip(), 0
        await self._safely(self._refresh)

    @rx.event
    async def users_page(self, offset: int):
        """Show the users from position `offset` of the search result."""
        self.user_offset = max(offset, 0) if isinstance(offset, int) else 0
        await self._safely(self._refresh)

    @rx.event
    async def filter_messages(self, form: dict[str, Any]):
        """List the newest messages of one room and/or one author (either may be left empty)."""
        self.message_room, self.message_author = field(form, "room").strip(), field(form, "author").strip()
        self.message_before = 0
        await self._safely(self._refresh)

    @rx.event
    async def messages_page(self, before_id: int):
        """Show the messages older than message `before_id` (0: the newest)."""
        self.message_before = max(before_id, 0) if isinstance(before_id, int) else 0
        await self._safely(self._refresh)

    @rx.event
    async def disable_user(self, user_id: int):
        """Disable an account: its sessions end and its open tabs are cut off at once, on every worker."""
        await self._change(session_actions.disable_user, user_id, done="User disabled and logged out everywhere.")

    @rx.event
    async def enable_user(self, user_id: int):
        """Let a disabled account log in again."""
        await self._change(session_actions.enable_user, user_id, done="User re-enabled.")

    @rx.event
    async def make_member(self, user_id: int):
        """A guest becomes a full member: every public room, the directory, no end date."""
        await self._change(session_actions.make_member, user_id, done="The guest is a full member now.")

    @rx.event
    async def archive_room(self, room_id: int, archived: bool = True):
        """Archive a room (nobody can post; it stays readable) or, with `archived=False`, reopen it; its open
        pages and the rooms lists show it at once."""
        if isinstance(archived, bool):
            await self._change(
                room_actions.archive_room, room_id, archived, done="Room archived." if archived else "Room reopened."
            )

    @rx.event
    async def delete_room(self, room_id: int):
        """Delete a room with all its messages, for good: its open pages lose it at once."""
        await self._change(room_actions.delete_room, room_id, done="Room deleted.")

    @rx.event
    async def remove_message(self, message_id: int):
        """Remove anyone's message: every open tab shows "removed by a moderator" in its place at once."""
        await self._change(message_actions.remove_message, message_id, done="Message removed.")

    @rx.event
    async def choose_signup_mode(self, mode: str):
        """Choose who may create an account: "open", "invite" or "closed"."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(joining.set_signup_mode, actor_id, mode)
            self.notice = "Sign-up setting saved."
            await self._lists(actor_id)

        if isinstance(mode, str):
            await self._safely(work)

    @rx.event
    async def choose_second_factor(self, rule: str):
        """Choose who must sign in with a second factor: "off", "admins" or "everyone"."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(factor_actions.require, actor_id, rule)
            self.notice = "Sign-in setting saved."
            await self._lists(actor_id)

        if isinstance(rule, str):
            await self._safely(work)

    @rx.event
    async def choose_group_managers(self, managers: str):
        """Choose who manages user groups: "admins" or "members" (user_groups.py)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(group_actions.set_group_managers, actor_id, managers)
            self.notice = "Groups setting saved."
            await self._lists(actor_id)

        if isinstance(managers, str):
            await self._safely(work)

    @rx.event
    async def choose_emoji_adders(self, adders: str):
        """Choose who may add custom emoji: "members" or "admins" (overriding CUSTOM_EMOJI_ADDERS)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(emoji_actions.choose_adders, actor_id, adders)
            self.notice = "Custom emoji setting saved."
            await self._lists(actor_id)

        if isinstance(adders, str):
            await self._safely(work)

    @rx.event
    async def choose_password_sign_in(self, allowed: bool):
        """Allow passwords, or leave single sign-on alone (refused unless the admin signs in with a provider)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(joining.set_password_sign_in, actor_id, allowed)
            self.notice = "Sign-in setting saved."
            await self._lists(actor_id)

        if isinstance(allowed, bool):
            await self._safely(work)

    @rx.event
    async def choose_read_receipts(self, on: bool):
        """Allow read receipts (each person still chooses to share theirs) or turn them off for everyone."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(receipt_actions.set_instance, actor_id, on)
            self.notice = "Read receipts setting saved."
            await self._lists(actor_id)

        if isinstance(on, bool):
            await self._safely(work)

    @rx.event
    async def reset_second_factor(self, user_id: int):
        """Remove a user's second factor (they lost their phone and their recovery codes); audited."""

        async def work() -> None:
            actor_id = await self._actor_id()
            username = await perform(factor_actions.reset, actor_id, user_id)
            self.notice = f"Two-factor sign-in reset for {username}: their password alone signs them in."
            await self._lists(actor_id)

        if isinstance(user_id, int):
            await self._safely(work)

    @rx.event
    async def choose_signup_domain(self, form: dict[str, Any]):
        """Open sign-up only for addresses at one domain (empty: anyone)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(joining.set_signup_domain, actor_id, field(form, "domain"))
            self.notice = "Sign-up setting saved."
            await self._lists(actor_id)

        await self._safely(work)

    @rx.event
    async def save_retention(self, form: dict[str, Any]):
        """The instance's retention policy: messages older than a number of days are deleted (0: kept)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            days, keep_pinned = whole(form, "days", -1), field(form, "keep_pinned") == "on"
            await perform(room_actions.set_retention, actor_id, days, keep_pinned)
            self.notice = f"Messages older than {days} days are deleted." if days else "Messages are kept."
            await self._lists(actor_id)

        await self._safely(work)

    @rx.event
    async def create_invite(self, form: dict[str, Any]):
        """A new invite link for a number of accounts during a number of days, shown once; naming rooms, a guest
        invite (its accounts are guests in those rooms, for a number of days or with no end)."""

        async def work() -> None:
            actor_id = await self._actor_id()
            days, uses = whole(form, "days"), whole(form, "uses")
            named = await db.run(signup.rooms_named, field(form, "guest_rooms"))
            stay = whole(form, "guest_days")  # 0 (or nothing): guests with no end
            invite, token = await perform(joining.create_invite, actor_id, days, uses, field(form, "note"), named, stay)
            guests = f", guests in {invite.guest_rooms}" if invite.guest_rooms else ""
            self._show_link(
                f"Invite link (for {counted(invite.max_uses, 'account')}, until {invite.expires_at[:10]}{guests})",
                settings.PUBLIC_URL + routes.invite(token),
            )
            await self._lists(actor_id)

        await self._safely(work)

    @rx.event
    async def revoke_invite(self, invite_id: int):
        """Make an invite link unusable at once."""
        await self._change(joining.revoke_invite, invite_id, done="Invite revoked.")

    @rx.event
    async def create_account(self, form: dict[str, Any]):
        """Create an account (how people join a closed instance) and show its set-your-password link once."""

        async def work() -> None:
            actor_id = await self._actor_id()
            user, token = await perform_hashing(joining.create_account, actor_id, field(form, "username"))
            self._show_link(
                f"Password link for {user.username}", settings.PUBLIC_URL + routes.RESET + "?token=" + token
            )
            await self._lists(actor_id)

        await self._safely(work)

    @rx.event
    async def reset_link(self, user_id: int):
        """A one-time password-reset link for a user, shown once; using it ends the user's sessions."""

        async def work() -> None:
            actor_id = await self._actor_id()
            username, token = await perform(joining.issue_reset_link, actor_id, user_id)
            self._show_link(
                f"Password-reset link for {username}", settings.PUBLIC_URL + routes.RESET + "?token=" + token
            )
            await self._lists(actor_id)

        if isinstance(user_id, int):
            await self._safely(work)

    @rx.event
    async def import_started(self, run_id: int):
        """The upload is in and its import runs: follow it."""
        if isinstance(run_id, int):
            self.import_id, self.import_status, self.import_percent = run_id, imports.RUNNING, 0
            self.import_counts, self.import_report = [], []
        return AdminState.follow_import

    @rx.event
    async def import_refused(self, reason: str):
        """The upload was refused: the page says why."""
        self.error = reason if isinstance(reason, str) else "The upload failed; try again."

    @rx.event
    async def follow_import(self):
        """The run's progress now, and again in IMPORT_FOLLOW_SECONDS while it runs (the tab asks again: a closed
        tab stops asking); when it is over, every list again (its rooms and people are in them)."""
        following = False

        async def work() -> None:
            nonlocal following
            actor_id = await self._actor_id()
            if not await db.run(accounts.is_admin, actor_id):
                raise admin.NotAdmin()
            shown = await db.run(imports.import_view, self.import_id)
            self._show_import(shown)
            following = shown is not None and shown.status == imports.RUNNING
            if not following:
                await self._lists(actor_id)

        await self._safely(work)
        if following:
            await asyncio.sleep(IMPORT_FOLLOW_SECONDS)
            return AdminState.follow_import

    def _show_import(self, shown: imports.ImportView | None) -> None:
        if shown is not None:
            self.import_id, self.import_file, self.import_status = shown.id, shown.file_name, shown.status
            self.import_percent, self.import_counts = shown.percent, list(shown.counts)
            self.import_report = list(shown.report)

    def _show_link(self, label: str, url: str) -> None:
        self.new_link_label, self.new_link = label, url
        self.notice = "Copy the link now: it is shown only once."

    async def _change(self, action: Callable[..., Any], target_id: int, *args: Any, done: str) -> None:
        """Change user, room or message `target_id` through `action` as an admin, then list everything again."""

        async def work() -> None:
            actor_id = await self._actor_id()
            await perform(action, actor_id, target_id, *args)
            self.notice = done
            await self._lists(actor_id)

        if isinstance(target_id, int):
            await self._safely(work)

    async def _safely(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work`: anyone but an active administrator gets the area emptied and closed; other
        refusals show as an error."""
        self.error, self.notice, self.new_link, self.new_link_label = "", "", "", ""
        try:
            await work()
        except admin.NotAdmin:
            self._close()
        except _SHOWN as error:
            self.error = str(error)

    async def _actor_id(self) -> int:
        """The session's user id, for the admin functions to check; admin.NotAdmin when logged out."""
        identity = await self._identity()
        if identity is None:
            raise admin.NotAdmin()
        return identity.user_id

    async def _refresh(self) -> None:
        await self._lists(await self._actor_id())

    async def _lists(self, actor_id: int) -> None:
        """Read every list again as `actor_id`, as the filters and pages say."""
        size = settings.ADMIN_PAGE_SIZE
        users = await db.run(admin.list_users, actor_id, self.user_query, size + 1, self.user_offset)
        found = await db.run(
            admin.recent_messages, actor_id, self.message_room, self.message_author, self.message_before, size + 1
        )
        self.users, self.more_users = users[:size], len(users) > size
        self.recent, self.more_messages = found[:size], len(found) > size
        self.rooms = await db.run(admin.list_rooms, actor_id)
        self.audit = await db.run(admin.audit_log, actor_id)
        self.invites = await db.run(signup.list_invites, actor_id)
        current = await db.run(signup.policy)
        self.signup_mode, self.signup_domain = current.mode, current.domain
        self.second_factor_rule = await db.run(second_factor.requirement)
        self.group_managers = await db.run(user_groups.managers)
        self.emoji_adders = await db.run(custom_emoji.adders)
        kept = await db.run(retention.policy)
        self.retention_days, self.retention_keep_pinned = kept.days, kept.keep_pinned
        self.password_sign_in, self.sso_configured = await db.run(sso.passwords_allowed), bool(sso.providers())
        self.read_receipts_on = await db.run(read_receipts.instance_on)
        self.email_enabled = mail.configured()
        self.import_url = f"{self.files_base}{import_route.IMPORT_PATH}"
        self._show_import(await db.run(imports.latest))
        self.status = "ready"

    def _close(self) -> None:
        """Forget every piece of admin data this tab was given."""
        self.reset()
        self.status = "denied"
