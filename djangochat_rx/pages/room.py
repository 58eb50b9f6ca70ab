"""A room: its newest messages, live, and the message box. Unknown rooms get a friendly page."""

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from djangochat_rx import routes, settings
from djangochat_rx.components.layout import error_callout, page
from djangochat_rx.components.message import message_row
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import COMPOSER_ID, RoomState


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Room not found", size="7"),
        rx.text("There is no room at this address. It may have been renamed or never existed."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
    )


def _typing_line() -> rx.Component:
    """ "alice is typing…", "alice and bob are typing…", "Several people are typing…" (never yourself)."""
    names, me = RoomState.typing, AuthState.username
    others = names.length() - rx.cond(names.contains(me), 1, 0)
    first = rx.cond(names[0] == me, names[1], names[0])
    second = rx.cond((names[0] == me) | (names[1] == me), names[2], names[1])
    label = rx.match(
        others,
        (0, ""),
        (1, first.to(str) + " is typing…"),
        (2, first.to(str) + " and " + second.to(str) + " are typing…"),
        "Several people are typing…",
    )
    return rx.text(label, id="typing", size="1", color=rx.color("gray", 10), min_height="1.2em", aria_live="polite")


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
                on_change=RoomState.typing_now.throttle(settings.TYPING_NOTICE_MS),
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
        _typing_line(),
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
