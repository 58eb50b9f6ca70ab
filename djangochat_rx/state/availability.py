"""The account page's "Time and availability" section (components/availability.py): time zone for now."""

import reflex as rx

from djangochat_rx import db, routes
from djangochat_rx.actions import availability as availability_actions
from djangochat_rx.actions import perform
from djangochat_rx.domain import availability
from djangochat_rx.state.auth import AuthState


class AvailabilityState(AuthState):
    # The person's IANA time zone ("" until their browser or they set it).
    time_zone: str = ""
    availability_error: str = ""
    availability_notice: str = ""

    @rx.event
    async def load_availability(self):
        identity = await self._identity()
        if identity is None:
            return rx.redirect(routes.LOGIN, replace=True)
        self.availability_error, self.availability_notice = "", ""
        self.time_zone = await db.run(availability.time_zone_of, identity.user_id)
        return None

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
