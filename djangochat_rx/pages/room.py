"""A room: its newest messages, live, and the message box. Unknown rooms get a friendly page."""

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from djangochat_rx import routes, settings
from djangochat_rx.components.layout import error_callout, page
from djangochat_rx.components.message import message_row
from djangochat_rx.state.room import COMPOSER_ID, RoomState


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Room not found", size="7"),
        rx.text("There is no room at this address. It may have been renamed or never existed."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
    )


def _composer() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.text_area(
                id=COMPOSER_ID,
                name="message",
                placeholder="Write a message… (Enter sends, Shift+Enter for a new line)",
                aria_label="Message",
                enter_key_submit=True,
                auto_height=True,
                rows="1",
                max_length=settings.MESSAGE_MAX_CHARS * 2,
                width="100%",
            ),
            rx.el.input(type="hidden", name="client_id", value=RoomState.draft_id),
            rx.button("Send", type="submit"),
            align="end",
            width="100%",
        ),
        error_callout(RoomState.error),
        on_submit=RoomState.send,
        reset_on_submit=False,
        width="100%",
    )


def _room() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(RoomState.room_name, size="6"),
            rx.cond(RoomState.room_description != "", rx.text(RoomState.room_description, color=rx.color("gray", 11))),
            spacing="1",
        ),
        rx.auto_scroll(
            rx.foreach(RoomState.messages, message_row),
            rx.cond(
                RoomState.messages.length() == 0, rx.text("No messages yet. Say hello!", color=rx.color("gray", 10))
            ),
            id="messages",
            role="log",
            aria_label="Chat history",
            aria_live="polite",
            height="calc(100vh - 16rem)",
            min_height="12rem",
            width="100%",
            padding="0.5rem",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="0.5rem",
        ),
        rx.cond(
            has_connection_errors,
            rx.callout(
                "Reconnecting… Messages sent meanwhile will appear when the connection is back; "
                "text in the box is kept, press Send again if it was not sent.",
                icon="wifi_off",
                color_scheme="amber",
                role="status",
                id="reconnecting",
                width="100%",
            ),
        ),
        _composer(),
        spacing="3",
        width="100%",
    )


def room() -> rx.Component:
    return page(
        rx.match(
            RoomState.status,
            ("missing", _not_found()),
            ("ready", _room()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
        wide=True,
    )
