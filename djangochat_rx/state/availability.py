"""The account page's "Time and availability" section (components/availability.py): time zone, do not disturb
and working hours."""

from typing import Any

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import availability as availability_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import availability
from djangochat_rx.state.auth import AuthState, field


class AvailabilityState(AuthState):
    # The person's IANA time zone ("" until their browser or they set it).
    time_zone: str = ""
    # Do not disturb until then (ISO, "" when off); working hours: the weekdays ticked (Mon..Sun) and start/end.
    dnd_until: str = ""
    work_days: list[bool] = [False] * 7
    work_start: str = "09:00"
    work_end: str = "18:00"
    # Their status: emoji, text, and when it clears (ISO, "" never or none).
    status_emoji: str = ""
    status_text: str = ""
    status_until: str = ""
    availability_error: str = ""
    availability_notice: str = ""

    def _show(self, shown: availability.AvailabilityView) -> None:
        self.time_zone, self.dnd_until = shown.time_zone, shown.dnd_until
        self.work_days = [bool(shown.work_days >> day & 1) for day in range(7)]
        self.work_start, self.work_end = shown.work_start, shown.work_end

    @rx.event
    async def load_availability(self):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        self._show(await db.run(availability.view, identity.user_id))
        self.status_emoji, self.status_text, self.status_until = await db.run(availability.own_status, identity.user_id)
        return None

    @rx.event
    async def save_status(self, form: dict[str, Any]):
        """The status beside one's name (emoji and text) until the chosen time; both empty clear it."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        emoji, text = field(form, "status_emoji"), field(form, "status_text")
        try:
            shown = await perform(
                availability_actions.set_status, identity.user_id, emoji, text, field(form, "status_clears")
            )
        except availability.InvalidStatus as error:
            self.availability_error = str(error)
            return None
        self.status_emoji, self.status_text, self.status_until = await db.run(availability.own_status, identity.user_id)
        self.availability_notice = f"Status set: {shown}." if shown else "Status cleared."
        return None

    @rx.event
    async def clear_status(self):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error = ""
        await perform(availability_actions.set_status, identity.user_id, "", "", "never")
        self.status_emoji, self.status_text, self.status_until = "", "", ""
        self.availability_notice = "Status cleared."
        return [rx.set_value("status_emoji", ""), rx.set_value("status_text", "")]

    @rx.event
    async def choose_time_zone(self, name: str):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        try:
            self.time_zone = await perform(availability_actions.set_time_zone, identity.user_id, name)
        except availability.InvalidZone as error:
            self.availability_error = str(error)
            return None
        self.availability_notice = f"Time zone saved: {self.time_zone}."
        return None

    @rx.event
    async def start_dnd(self, form: dict[str, Any]):
        """Do not disturb for the chosen time (minutes; 0: until tomorrow 09:00)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        minutes = field(form, "dnd_minutes")
        try:
            shown = await perform(
                availability_actions.set_dnd, identity.user_id, int(minutes) if minutes.isdigit() else -1
            )
        except availability.InvalidDnd as error:
            self.availability_error = str(error)
            return None
        self._show(shown)
        self.availability_notice = "Do not disturb is on: nothing will notify you until it ends."
        return None

    @rx.event
    async def stop_dnd(self):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error = ""
        self._show(await perform(availability_actions.end_dnd, identity.user_id))
        self.availability_notice = "Do not disturb is off."
        return None

    @rx.event
    async def save_work_hours(self, form: dict[str, Any]):
        """Working hours: the ticked weekdays, from start to end in the person's time zone."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        days = sum(1 << day for day in range(7) if form.get(f"work_day_{day}") in (True, "on"))
        try:
            shown = await perform(
                availability_actions.set_work_hours,
                identity.user_id,
                days,
                field(form, "work_start"),
                field(form, "work_end"),
            )
        except availability.InvalidHours as error:
            self.availability_error = str(error)
            return None
        self._show(shown)
        self.availability_notice = "Working hours saved." if days else "No working hours: you may be notified any time."
        return None
