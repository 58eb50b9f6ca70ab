"""/messages/<id> (state/located.py): it sends those who may read the message to it; others read why not."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.layout import page
from djangochat_rx.state.located import LocatedState


def located() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Message", size="6", as_="h1", class_name="page-title"),
            rx.cond(
                LocatedState.located_error != "",
                rx.callout(LocatedState.located_error, icon="info", id="located-error", width="100%"),
                rx.text("Opening the message…", color=rx.color("gray", 11)),
            ),
            rx.link("Back to your rooms", href=routes.ROOMS),
            spacing="3",
            width="100%",
        ),
        title="Message",
    )
