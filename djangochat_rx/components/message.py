"""One chat message: author, local time, and its sanitised Markdown (see markup.py)."""

import reflex as rx

from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import MessageItem


def message_row(message: rx.Var[MessageItem]) -> rx.Component:
    mine = message["author"] == AuthState.username
    return rx.box(
        rx.hstack(
            rx.text(message["author"], weight="bold", size="2", color=rx.cond(mine, rx.color("accent", 11), "")),
            rx.moment(message["created_at"], format="MMM D, HH:mm", font_size="0.75rem", color=rx.color("gray", 10)),
            spacing="2",
            align="baseline",
        ),
        rx.html(message["html"], class_name="message-body"),
        key=message["id"],
        data_message_id=message["id"],
        padding_y="0.35rem",
        class_name="message",
    )
