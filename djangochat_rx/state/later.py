"""The Scheduled and Reminders pages: the person's pending scheduled messages (edit text and time, send now, cancel)
and the failed ones with why; their pending reminders (cancel). Times in the person's own zone."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import later as later_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import commands, messages, reminders, scheduled, when
from djangochat_rx.domain.availability import zone
from djangochat_rx.domain.reminders import ReminderView
from djangochat_rx.domain.scheduled import ScheduledView
from djangochat_rx.infra import throttle
from djangochat_rx.models import utcnow
from djangochat_rx.state.auth import AuthState, field


class LaterState(AuthState):
    pending: list[ScheduledView] = []
    failed: list[ScheduledView] = []
    reminders: list[ReminderView] = []
    # The scheduled message being edited (0: none), and what went wrong on the page.
    editing_later: int = 0
    later_error: str = ""
    zone_name: str = "UTC"

    async def _read(self) -> bool:
        identity = await self._enter_page()
        if identity is None:
            return False
        self.zone_name, self.later_error, self.editing_later = str(zone(identity.time_zone)), "", 0
        return True

    @rx.event
    async def load_scheduled(self):
        if not await self._read():
            return rx.redirect(routes.LOGIN, replace=True)
        await self._reread_scheduled()

    @rx.event
    async def load_reminders(self):
        if not await self._read():
            return rx.redirect(routes.LOGIN, replace=True)
        await self._reread_reminders()

    async def _reread_scheduled(self) -> None:
        identity = await self._identity()
        if identity is not None:
            self.pending, self.failed = await db.run(scheduled.listing, identity.user_id, identity.time_zone)

    async def _reread_reminders(self) -> None:
        identity = await self._identity()
        if identity is not None:
            self.reminders = await db.run(reminders.pending, identity.user_id, identity.time_zone)

    async def _act(self, action, *args: Any) -> bool:
        """Perform a change as the session's user, spending the sending budget; False with why shown."""
        identity = await self._identity()
        if identity is None:
            return False
        try:
            await throttle.before_send(identity.user_id)
            await perform(action, identity.user_id, *args)
        except (messages.InvalidMessage, commands.CommandError, when.InvalidTime, throttle.Throttled) as error:
            self.later_error = str(error)
            return False
        self.later_error = ""
        return True

    @rx.event
    def start_edit_later(self, job_id: int):
        self.editing_later, self.later_error = (job_id if isinstance(job_id, int) else 0), ""

    @rx.event
    def stop_edit_later(self):
        self.editing_later, self.later_error = 0, ""

    @rx.event
    async def save_later(self, form: dict[str, Any]):
        """Save the edited text and time of the scheduled message being edited."""
        identity = await self._identity()
        if identity is None or not self.editing_later:
            return
        try:
            due = when.picked(field(form, "when"), identity.time_zone, utcnow())
        except when.InvalidTime as error:
            self.later_error = str(error)
            return
        if await self._act(later_actions.edit_scheduled, self.editing_later, field(form, "text"), due):
            self.editing_later = 0
            await self._reread_scheduled()

    @rx.event
    async def send_now(self, job_id: int):
        """Send one's scheduled message at once, through the same checks as when it falls due."""
        identity = await self._identity()
        if identity is None or not isinstance(job_id, int):
            return
        try:
            await throttle.before_send(identity.user_id)
            await perform(later_actions.deliver_scheduled, job_id, utcnow(), identity.user_id)
        except (messages.InvalidMessage, throttle.Throttled) as error:
            self.later_error = str(error)
        await self._reread_scheduled()

    @rx.event
    async def cancel_later(self, job_id: int):
        if isinstance(job_id, int) and await self._act(later_actions.cancel_scheduled, job_id):
            await self._reread_scheduled()

    @rx.event
    async def cancel_reminder(self, reminder_id: int):
        if isinstance(reminder_id, int) and await self._act(later_actions.cancel_reminder, reminder_id):
            await self._reread_reminders()
