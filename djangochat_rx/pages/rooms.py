"""The rooms list: every room with its description and message count, and a form to create one."""

import reflex as rx

from djangochat_rx.components.layout import error_callout, labeled_input, page
from djangochat_rx.state.rooms import RoomItem, RoomsState


def _room_card(room: rx.Var[RoomItem]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(room["name"], weight="bold", size="4"),
                    rx.text(room["description"], size="2", color=rx.color("gray", 11)),
                    spacing="1",
                    align="start",
                    min_width="0",
                ),
                rx.spacer(),
                rx.badge(room["message_count"].to_string() + " messages", variant="soft"),
                align="center",
                width="100%",
            ),
            width="100%",
        ),
        href="/rooms/" + room["slug"],
        underline="none",
        width="100%",
        key=room["slug"],
    )


def rooms() -> rx.Component:
    return page(
        rx.heading("Rooms", size="7", margin_bottom="1rem"),
        rx.cond(
            RoomsState.rooms.length() > 0,
            rx.vstack(rx.foreach(RoomsState.rooms, _room_card), spacing="2", width="100%"),
            rx.text("No rooms yet. Create the first one below.", color=rx.color("gray", 11)),
        ),
        rx.heading("Create a room", size="4", margin_top="2rem", margin_bottom="0.5rem"),
        rx.form(
            rx.vstack(
                labeled_input("Room name", "name", max_length=64, required=True),
                labeled_input("Description", "description", max_length=500),
                error_callout(RoomsState.error),
                rx.button("Create room", type="submit"),
                spacing="3",
            ),
            on_submit=RoomsState.create_room,
            reset_on_submit=False,
        ),
        wide=True,
    )
