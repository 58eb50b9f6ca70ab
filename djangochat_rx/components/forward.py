"""Forwarding on the room page: the forward form (the messages chosen, where to, an optional comment), opened by the
forward tool of a message or by the selection bar; selection mode's bar ("3 selected · Forward · Cancel") and the
checkbox of each message (components/message.py draws it); and the line a forwarded copy shows above its text (its
original's author, linking to the original for those who may read it: routes.LOCATED)."""

import reflex as rx

from djangochat_rx.components.keys import Keys
from djangochat_rx.components.layout import error_callout
from djangochat_rx.components.local_time import clock
from djangochat_rx.domain.forwarding import Chosen, Target
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.state.room import RoomState


def _target(target: rx.Var[Target]) -> rx.Component:
    return rx.el.option(target["name"], value=target["id"].to_string())


def _chosen(chosen: rx.Var[Chosen]) -> rx.Component:
    return rx.el.li(rx.text(chosen["author"], weight="bold", as_="span"), " ", chosen["line"])


def forward_form() -> rx.Component:
    count = RoomState.forward_chosen.length()
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(count > 1, "Forward " + count.to_string() + " messages", "Forward message")),
            rx.dialog.description(
                "A copy of each goes to the room or conversation you choose, in their order, after your comment.",
                size="2",
            ),
            rx.el.ul(rx.foreach(RoomState.forward_chosen, _chosen), class_name="forward-chosen", id="forward-chosen"),
            rx.button(
                rx.icon("list-checks", size=14),
                "Add messages",
                type="button",
                on_click=RoomState.add_messages,
                variant="ghost",
                size="1",
            ),
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
        open=RoomState.forward_open,
        on_open_change=RoomState.forward_closed,
    )


def selection_bar() -> rx.Component:
    """Selection mode's bar below the room's messages: "3 selected · Forward · Cancel" (Escape cancels too)."""
    count = RoomState.selected_ids.length()
    return rx.cond(
        RoomState.selecting,
        rx.box(
            rx.hstack(
                rx.text(count.to_string() + " selected", size="2", weight="medium", aria_live="polite"),
                rx.button(
                    rx.icon("forward", size=14),
                    "Forward",
                    on_click=RoomState.forward_selected,
                    disabled=count == 0,
                    size="2",
                ),
                rx.button("Cancel", on_click=RoomState.stop_selecting, variant="soft", size="2"),
                rx.text("Tick the messages to forward · Escape cancels", size="1", color=rx.color("gray", 11)),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                ~RoomState.forward_open,
                error_callout(RoomState.forward_error),
            ),
            # While choosing, Escape (outside text fields, dialogs and menus) leaves selection mode.
            Keys.create(on_escape=RoomState.stop_selecting),
            role="region",
            aria_label="Messages selected to forward",
            id="selection-bar",
            class_name="selection-bar",
            width="100%",
        ),
    )


def select_box(message: rx.Var[MessageView], selected: rx.Var[bool]) -> rx.Component:
    """A message's checkbox in selection mode, named for its author and time ("Select message from alice at
    10:02", the time as the row shows it: local_time_core.js clock), ticked when `selected`."""
    return rx.el.input(
        type="checkbox",
        checked=selected,
        on_change=RoomState.toggle_selected(message["id"]),
        aria_label="Select message from " + message["author"].to(str) + " at " + clock(message["created_at"].to(str)),
        class_name="message-select",
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
