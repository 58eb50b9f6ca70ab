"""The account page's "Time and availability" section (state/availability.py)."""

import reflex as rx

from djangochat_rx.components.layout import error_callout
from djangochat_rx.components.local_time import LocalTime
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


def _choice(name: str, options: dict[str, str], default: str, label: str) -> rx.Component:
    """A form's small drop-down: `options` value -> label, `default` chosen, `label` its accessible name."""
    return rx.el.select(
        *[rx.el.option(text, value=value) for value, text in options.items()],
        name=name,
        default_value=default,
        aria_label=label,
        class_name="plain-select",
        width="auto",
    )


_DND_LABELS = {30: "30 minutes", 60: "1 hour", 120: "2 hours", 240: "4 hours", 0: "Until tomorrow 09:00"}


def _dnd() -> rx.Component:
    on = AvailabilityState.dnd_until != ""
    return rx.vstack(
        rx.text("Do not disturb", size="2", weight="medium"),
        rx.cond(
            on,
            rx.hstack(
                rx.text(
                    "On until ", LocalTime.create(value=AvailabilityState.dnd_until), ".", size="2", id="dnd-status"
                ),
                rx.button("Turn off", on_click=AvailabilityState.stop_dnd, variant="soft", size="2"),
                align="center",
            ),
            rx.form(
                rx.hstack(
                    _choice(
                        "dnd_minutes",
                        {str(minutes): label for minutes, label in _DND_LABELS.items()},
                        "60",
                        "Do not disturb for",
                    ),
                    rx.button("Turn on", type="submit", variant="soft", size="2"),
                    align="center",
                ),
                on_submit=AvailabilityState.start_dnd,
                reset_on_submit=False,
            ),
        ),
        rx.text(
            "While it is on, nothing notifies you (browser, push, email); people who write to you are told when "
            "you will see it, and one summary waits for you when it ends.",
            size="1",
            color=rx.color("gray", 11),
        ),
        align="stretch",
        spacing="1",
    )


def _work_hours() -> rx.Component:
    days = [
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name=f"work_day_{day}",
                default_checked=AvailabilityState.work_days[day],
                # A new saved value draws the box anew; in between the browser keeps the tick (the form sends it).
                key=AvailabilityState.work_days[day].to_string(),
            ),
            name,
            class_name="day-choice",
        )
        for day, name in enumerate(availability.WEEKDAYS)
    ]
    return rx.form(
        rx.vstack(
            rx.text("Working hours", size="2", weight="medium"),
            rx.hstack(*days, wrap="wrap", spacing="3"),
            rx.hstack(
                rx.el.label(
                    "From ",
                    rx.el.input(
                        type="time",
                        name="work_start",
                        default_value=AvailabilityState.work_start,
                        key=AvailabilityState.work_start,
                        required=True,
                    ),
                ),
                rx.el.label(
                    "to ",
                    rx.el.input(
                        type="time",
                        name="work_end",
                        default_value=AvailabilityState.work_end,
                        key=AvailabilityState.work_end,
                        required=True,
                    ),
                ),
                rx.button("Save working hours", type="submit", variant="soft", size="2"),
                align="center",
                wrap="wrap",
            ),
            rx.text(
                "Outside them nothing notifies you, as in do not disturb. No day ticked: no working hours.",
                size="1",
                color=rx.color("gray", 11),
            ),
            align="stretch",
            spacing="1",
        ),
        on_submit=AvailabilityState.save_work_hours,
        reset_on_submit=False,
    )


def _status() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Status", size="2", weight="medium"),
            rx.hstack(
                rx.el.input(
                    name="status_emoji",
                    id="status_emoji",
                    default_value=AvailabilityState.status_emoji,
                    key=AvailabilityState.status_emoji,
                    placeholder="🌴",
                    aria_label="Status emoji",
                    max_length=availability.STATUS_EMOJI_MAX,
                    class_name="plain-select",
                    width="3.5rem",
                ),
                rx.el.input(
                    name="status_text",
                    id="status_text",
                    default_value=AvailabilityState.status_text,
                    key=AvailabilityState.status_text,
                    placeholder="On holiday until Monday",
                    aria_label="Status text",
                    max_length=availability.STATUS_TEXT_MAX,
                    class_name="plain-select",
                    flex="1",
                ),
                width="100%",
            ),
            rx.hstack(
                _choice("status_clears", availability.STATUS_CLEARS, "today", "Clear the status after"),
                rx.button("Set status", type="submit", variant="soft", size="2"),
                rx.cond(
                    (AvailabilityState.status_emoji != "") | (AvailabilityState.status_text != ""),
                    rx.button(
                        "Clear", type="button", on_click=AvailabilityState.clear_status, variant="ghost", size="2"
                    ),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                AvailabilityState.status_until != "",
                rx.text("Clears at ", LocalTime.create(value=AvailabilityState.status_until), ".", size="1"),
            ),
            align="stretch",
            spacing="1",
        ),
        on_submit=AvailabilityState.save_status,
        reset_on_submit=False,
    )


def availability_settings() -> rx.Component:
    return rx.vstack(
        rx.heading("Time and availability", size="4", margin_top="2rem"),
        _status(),
        _time_zone(),
        _dnd(),
        _work_hours(),
        rx.cond(AvailabilityState.availability_error != "", error_callout(AvailabilityState.availability_error)),
        rx.cond(
            AvailabilityState.availability_notice != "",
            rx.text(AvailabilityState.availability_notice, size="2", role="status", color=rx.color("green", 11)),
        ),
        align="stretch",
        width="100%",
        id="availability",
    )
