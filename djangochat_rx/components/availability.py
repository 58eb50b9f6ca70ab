"""The account page's "Time and availability" section (state/availability.py)."""

import reflex as rx

from djangochat_rx.components.layout import error_callout
from djangochat_rx.domain import availability
from djangochat_rx.state.availability import AvailabilityState


def _time_zone() -> rx.Component:
    return rx.el.label(
        rx.text("Time zone", size="2", weight="medium"),
        rx.el.select(
            rx.el.option("Not set (UTC)", value=""),
            *[rx.el.option(name, value=name) for name in availability.zone_names()],
            value=AvailabilityState.time_zone,
            on_change=AvailabilityState.choose_time_zone,
            id="time-zone",
            class_name="plain-select",
        ),
        rx.text(
            "Your browser sets it the first time you sign in; your working hours, do not disturb and reminders "
            "follow it.",
            size="1",
            color=rx.color("gray", 11),
        ),
        display="flex",
        flex_direction="column",
        gap="0.25rem",
    )


def availability_settings() -> rx.Component:
    return rx.vstack(
        rx.heading("Time and availability", size="4", margin_top="2rem"),
        _time_zone(),
        rx.cond(AvailabilityState.availability_error != "", error_callout(AvailabilityState.availability_error)),
        rx.cond(
            AvailabilityState.availability_notice != "",
            rx.text(AvailabilityState.availability_notice, size="2", role="status", color=rx.color("green", 11)),
        ),
        align="stretch",
        width="100%",
        id="availability",
    )
