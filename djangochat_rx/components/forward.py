"""Forwarding on the room page: the forward form (where to, an optional comment), opened by the forward tool of a
message, and the line a forwarded copy shows above its text (its original's author, linking to the original for
those who may read it: routes.LOCATED)."""

import reflex as rx

from djangochat_rx.components.layout import error_callout
from djangochat_rx.domain.forwarding import Target
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.state.room import RoomState


def _target(target: rx.Var[Target]) -> rx.Component:
    return rx.el.option(target["name"], value=target["id"].to_string())


def forward_form() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Forward message"),
            rx.dialog.description("A copy goes to the room or conversation you choose, after your comment.", size="2"),
            rx.form(
                rx.vstack(
                    rx.el.label("Forward to", html_for="forward-room", class_name="rt-Text rt-r-size-2"),
                    rx.el.select(
                        rx.el.option("Choose a room or conversation", value=""),
                        rx.foreach(RoomState.forward_targets, _target),
                        id="forward-room",
                        name="room",
                        class_name="forward-select",
                    ),
                    rx.el.label("Comment (optional)", html_for="forward-comment", class_name="rt-Text rt-r-size-2"),
                    rx.text_area(id="forward-comment", name="comment", rows="2", width="100%"),
                    error_callout(RoomState.forward_error),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft")),
                        rx.button("Forward", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=RoomState.forward,
                reset_on_submit=False,
            ),
            max_width="30rem",
        ),
        open=RoomState.forwarding_id != 0,
        on_open_change=RoomState.forward_closed,
    )


def forwarded_line(message: rx.Var[MessageView]) -> rx.Component:
    """ "Forwarded from alice" above a forwarded copy, opening the original (for those who may read it)."""
    author = message["forward_author"].to(str)
    return rx.cond(
        message["forward_id"].to(int) > 0,
        rx.link(
            rx.icon("forward", size=12),
            rx.text(rx.cond(author != "", "Forwarded from " + author, "Forwarded"), as_="span"),
            href="/messages/" + message["forward_id"].to_string(),
            class_name="message-forwarded",
            size="1",
            color=rx.color("gray", 11),
            underline="hover",
        ),
    )
