"""The profile page: name, join date, message count."""

import reflex as rx

from djangochat_rx.components.layout import page
from djangochat_rx.state.profile import ProfileState


def profile() -> rx.Component:
    return page(
        rx.heading(ProfileState.username, size="7", margin_bottom="1rem"),
        rx.data_list.root(
            rx.data_list.item(
                rx.data_list.label("Joined"),
                rx.data_list.value(rx.cond(ProfileState.joined != "", rx.moment(ProfileState.joined, format="LL"), "")),
            ),
            rx.data_list.item(
                rx.data_list.label("Messages"),
                rx.data_list.value(ProfileState.message_count, id="message-count"),
            ),
        ),
    )
