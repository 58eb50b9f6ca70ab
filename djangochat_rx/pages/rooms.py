"""The rooms list, live: each room's latest message, unread count, mentions and who is online; creating a room."""

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.layout import error_callout, inline_form, labeled_input, page
from djangochat_rx.components.sidebar import muted_last, unread_count
from djangochat_rx.domain.reads import RoomSummary
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.rooms import RoomsState


def _room_card(room: rx.Var[RoomSummary]) -> rx.Component:
    unread = unread_count(room)
    muted = RoomsState.muted.contains(room["slug"])
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.text(room["name"], weight=rx.cond(unread > 0, "bold", "medium"), size="4"),
                        rx.match(
                            room["kind"],
                            ("private", rx.icon("lock", size=14, aria_label="Private")),
                            ("dm", rx.icon("at-sign", size=14, aria_label="Direct conversation")),
                            rx.fragment(),
                        ),
                        rx.cond(room["archived"], rx.badge("Archived", color_scheme="gray", variant="soft")),
                        rx.cond(
                            RoomsState.mentioned.contains(room["slug"]) & ~muted,
                            rx.badge("@ mentioned", color_scheme="orange", class_name="mention-mark"),
                        ),
                        rx.cond(muted, rx.icon("bell-off", size=14, aria_label="Muted", class_name="muted-mark")),
                        align="center",
                        spacing="2",
                    ),
                    rx.cond(
                        room["last_author"] != "",
                        rx.text(
                            rx.text.strong(room["last_author"] + ": "),
                            room["last_preview"],
                            size="2",
                            class_name="room-preview",
                            color=rx.color("gray", 11),
                        ),
                        rx.text(room["description"], size="2", color=rx.color("gray", 11)),
                    ),
                    spacing="1",
                    align="start",
                    min_width="0",
                    flex="1",
                ),
                rx.vstack(
                    rx.cond(
                        room["last_message_at"] != "",
                        rx.moment(
                            room["last_message_at"], from_now=True, font_size="0.75rem", color=rx.color("gray", 11)
                        ),
                    ),
                    rx.hstack(
                        rx.cond(
                            room["online"] > 0,
                            rx.badge(room["online"].to_string() + " online", color_scheme="green", variant="soft"),
                        ),
                        rx.cond(
                            muted & (unread > 0),
                            rx.box(
                                class_name="unread-dot",
                                role="img",
                                aria_label="Unread messages",
                                width="0.5rem",
                                height="0.5rem",
                                border_radius="50%",
                                background=rx.color("gray", 9),
                            ),
                        ),
                        rx.cond(
                            ~muted & (unread > 0),
                            rx.badge(unread.to_string() + " unread", variant="solid", class_name="unread-count"),
                            rx.badge(
                                room["message_count"].to_string()
                                + rx.cond(room["message_count"] == 1, " message", " messages"),
                                variant="soft",
                            ),
                        ),
                        spacing="1",
                    ),
                    align="end",
                    spacing="1",
                ),
                align="center",
                width="100%",
            ),
            width="100%",
        ),
        href="/rooms/" + room["slug"],
        # The room starts loading with the click, while the browser draws its page (RoomState.open_room).
        on_click=lambda click: RoomState.open_room(room["slug"], click),
        underline="none",
        width="100%",
        key=room["slug"],
        data_room=room["slug"],
        class_name="room-card",
    )


def rooms() -> rx.Component:
    return page(
        rx.heading("Rooms", size="7", margin_bottom="1rem"),
        rx.cond(
            RoomsState.lobby.length() > 0,
            rx.vstack(
                *muted_last(RoomsState.lobby, _room_card),
                *muted_last(RoomsState.older, _room_card),
                rx.cond(
                    RoomsState.lobby_total > RoomsState.lobby.length() + RoomsState.older.length(),
                    rx.button(
                        "Show more rooms",
                        on_click=RoomsState.show_more_rooms,
                        variant="soft",
                        id="more-rooms",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            rx.cond(
                ~RoomsState.is_guest,
                rx.text("No rooms yet. Create the first one below.", color=rx.color("gray", 11)),
            ),
        ),
        rx.cond(
            RoomsState.own_rooms.length() > 0,
            rx.vstack(
                rx.heading(
                    rx.cond(RoomsState.is_guest, "Your rooms", "Private rooms and direct messages"),
                    size="4",
                    margin_top="2rem",
                ),
                *muted_last(RoomsState.own_rooms, _room_card),
                spacing="2",
                width="100%",
                id="own-rooms",
            ),
        ),
        rx.heading("Direct message", size="4", margin_top="2rem", margin_bottom="0.5rem"),
        inline_form(
            rx.input(
                id="people",
                name="people",
                placeholder="Usernames (up to 7, separated by commas)",
                aria_label="People to message",
                required=True,
                max_length=500,
                width="100%",
            ),
            "Message",
            RoomsState.open_direct,
        ),
        rx.cond(
            ~RoomsState.is_guest,
            rx.fragment(
                rx.heading("Create a room", size="4", margin_top="2rem", margin_bottom="0.5rem"),
                rx.form(
                    rx.vstack(
                        labeled_input("Room name", "name", max_length=settings.ROOM_NAME_MAX_CHARS, required=True),
                        labeled_input("Description", "description", max_length=settings.ROOM_DESCRIPTION_MAX_CHARS),
                        rx.el.label(
                            rx.checkbox(name="private", id="private"),
                            " Private: only people you invite can see it",
                            html_for="private",
                            display="flex",
                            gap="0.5rem",
                            align_items="center",
                        ),
                        error_callout(RoomsState.error),
                        rx.button("Create room", type="submit"),
                        spacing="3",
                    ),
                    on_submit=RoomsState.create_room,
                    reset_on_submit=False,
                ),
            ),
        ),
        wide=True,
    )
