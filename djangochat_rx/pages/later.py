"""The Scheduled page (messages the user will send later, and those that failed) and the Reminders page (the
reminders they set), each time on their own wall clock."""

import reflex as rx

from djangochat_rx.components.layout import error_callout, page
from djangochat_rx.domain.reminders import ReminderView
from djangochat_rx.domain.scheduled import ScheduledView
from djangochat_rx.state.later import LaterState


def _edit_form(item: rx.Var[ScheduledView]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(name="text", default_value=item["body"], aria_label="Message", width="100%", rows="3"),
            rx.el.label("Send at", html_for="later-edit-when", class_name="rt-Text rt-r-size-2"),
            rx.el.input(
                type="datetime-local", name="when", id="later-edit-when", default_value=item["due_input"], step="1"
            ),
            rx.hstack(
                rx.button("Cancel", type="button", variant="soft", on_click=LaterState.stop_edit_later),
                rx.button("Save", type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=LaterState.save_later,
        reset_on_submit=False,
        width="100%",
    )


def _pending(item: rx.Var[ScheduledView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["room_name"], weight="bold", size="2"),
                rx.text(item["due_shown"], size="2", color=rx.color("gray", 11), class_name="later-when"),
                rx.spacer(),
                rx.button("Edit", size="1", variant="ghost", on_click=LaterState.start_edit_later(item["id"])),
                rx.button("Send now", size="1", variant="ghost", on_click=LaterState.send_now(item["id"])),
                rx.button(
                    "Cancel",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=LaterState.cancel_later(item["id"]),
                ),
                align="center",
                width="100%",
            ),
            rx.cond(
                LaterState.editing_later == item["id"].to(int),
                _edit_form(item),
                rx.text(item["body"], size="2", white_space="pre-wrap", class_name="later-body"),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="later-item",
        data_later_id=item["id"],
    )


def _failed(item: rx.Var[ScheduledView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(rx.cond(item["room_name"] != "", item["room_name"], "A room"), weight="bold", size="2"),
                rx.text(item["due_shown"], size="2", color=rx.color("gray", 11)),
                align="center",
            ),
            rx.text(item["body"], size="2", white_space="pre-wrap"),
            rx.text(item["reason"], size="2", color=rx.color("red", 11), class_name="later-reason"),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="later-failed",
    )


def scheduled_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Scheduled", size="6", as_="h1", class_name="page-title"),
            rx.text(
                "Messages you will send later, soonest first (times in ",
                LaterState.zone_name,
                "). Schedule one with the clock beside Send.",
                color=rx.color("gray", 11),
            ),
            error_callout(LaterState.later_error),
            rx.cond(
                LaterState.pending.length() > 0,
                rx.vstack(rx.foreach(LaterState.pending, _pending), spacing="2", width="100%", id="scheduled"),
                rx.text("Nothing scheduled.", id="no-scheduled"),
            ),
            rx.cond(
                LaterState.failed.length() > 0,
                rx.vstack(
                    rx.heading("Not sent", size="3", as_="h2"),
                    rx.foreach(LaterState.failed, _failed),
                    spacing="2",
                    width="100%",
                    id="scheduled-failed",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        title="Scheduled",
    )


def _reminder(item: rx.Var[ReminderView]) -> rx.Component:
    has_message = item["message_id"].to(int) > 0
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["due_shown"], weight="bold", size="2", class_name="later-when"),
                rx.text(item["room_name"], size="2", color=rx.color("gray", 11)),
                rx.spacer(),
                rx.cond(has_message, rx.link("Open", href="/messages/" + item["message_id"].to_string(), size="1")),
                rx.button(
                    "Cancel",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=LaterState.cancel_reminder(item["id"]),
                ),
                align="center",
                width="100%",
            ),
            rx.cond(item["note"] != "", rx.text(item["note"], size="2")),
            rx.cond(item["excerpt"] != "", rx.text(item["excerpt"], size="2", color=rx.color("gray", 11))),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="reminder-item",
        data_reminder_id=item["id"],
    )


def reminders_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Reminders", size="6", as_="h1", class_name="page-title"),
            rx.text(
                "What you asked to be reminded of, soonest first (times in ",
                LaterState.zone_name,
                "). Set one from a message's tools (the alarm clock) or with /remind me in 10m TEXT.",
                color=rx.color("gray", 11),
            ),
            error_callout(LaterState.later_error),
            rx.cond(
                LaterState.reminders.length() > 0,
                rx.vstack(rx.foreach(LaterState.reminders, _reminder), spacing="2", width="100%", id="reminders"),
                rx.text("No reminders.", id="no-reminders"),
            ),
            spacing="3",
            width="100%",
        ),
        title="Reminders",
    )
