"""The Saved page: the messages the user saved, newest saved first, each jumping to its place (a reply: its
thread beside its room)."""

import reflex as rx

from djangochat_rx.components.avatar import avatar
from djangochat_rx.components.layout import error_callout, page
from djangochat_rx.domain.saved import SavedView
from djangochat_rx.state.saved import SavedState


def _place(item: rx.Var[SavedView]) -> rx.Var[str]:
    """Where the message is: a room's message scrolled to, a reply's thread opened."""
    message = item["message"]
    thread = message["thread_id"].to(int)
    return rx.cond(
        thread > 0,
        "/rooms/" + item["slug"] + "?thread=" + thread.to_string(),
        "/rooms/" + item["slug"] + "?message=" + message["id"].to_string(),
    )


def _item(item: rx.Var[SavedView]) -> rx.Component:
    message = item["message"]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["room_name"], weight="bold", size="2"),
                rx.spacer(),
                rx.link("Jump", href=_place(item), size="1", class_name="saved-jump"),
                rx.button(
                    "Remove",
                    on_click=SavedState.remove(message["id"]),
                    variant="ghost",
                    size="1",
                    aria_label="Remove from saved",
                ),
                align="center",
                width="100%",
            ),
            rx.hstack(
                avatar(message["author"]),
                rx.text(message["author"], weight="medium", size="2"),
                rx.moment(message["created_at"], format="D MMM HH:mm", font_size="0.75rem", color=rx.color("gray", 11)),
                align="center",
                spacing="2",
            ),
            rx.html(message["html"], class_name="message-body"),
            spacing="1",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="saved-item",
        data_message_id=message["id"],
    )


def saved_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Saved", size="6", as_="h1", class_name="page-title"),
            rx.text(
                "Messages you saved for later, newest first. Save one from its tools (the bookmark).",
                color=rx.color("gray", 11),
            ),
            error_callout(SavedState.saved_error),
            rx.cond(
                SavedState.kept.length() > 0,
                rx.vstack(rx.foreach(SavedState.kept, _item), spacing="2", width="100%", id="saved"),
                rx.text("Nothing saved yet.", id="no-saved"),
            ),
            spacing="3",
            width="100%",
        ),
        title="Saved",
    )
