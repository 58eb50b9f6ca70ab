"""Reactions under a message: one chip per emoji (count, highlighted when one is yours, who reacted on
hover), a "who reacted" button listing everyone by emoji (a tap on a phone, where nothing hovers), and the
button that opens the picker: your 6 most used emoji, then every emoji with search (EmojiPicker,
emoji-mart's picker in assets/emoji_picker.js)."""

import reflex as rx
from reflex_base.event import passthrough_event_spec

from djangochat_rx.components.custom_emoji import emoji_label
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.reactions import ReactionView
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState


class EmojiPicker(rx.Component):
    """Every emoji, by category and by search; `on_pick` gets the chosen one as text."""

    library = "$/public/emoji_picker.js"
    tag = "EmojiPicker"
    is_default = False
    lib_dependencies: list[str] = ["emoji-mart@5.6.0", "@emoji-mart/data@1.2.1"]

    on_pick: rx.EventHandler[passthrough_event_spec(str)]
    # Where the page's custom emoji are held (custom_emoji.js) and their pictures' origin.
    substate: rx.Var[str]
    base: rx.Var[str]


def _chip(message: rx.Var[MessageView], reaction: rx.Var[ReactionView], me: rx.Var[str]) -> rx.Component:
    mine = reaction["users"].contains(me)
    who = reaction["users"].join(", ")
    return rx.button(
        rx.el.span(emoji_label(reaction["emoji"]), class_name="reaction-emoji"),
        rx.text(reaction["count"], as_="span", size="1"),
        on_click=RoomState.react(message["id"], reaction["emoji"]),
        variant=rx.cond(mine, "soft", "outline"),
        color_scheme=rx.cond(mine, "indigo", "gray"),
        size="1",
        radius="full",
        title=who,
        aria_label=reaction["emoji"] + " " + reaction["count"].to_string() + ": " + who,
        aria_pressed=mine,
        class_name="reaction",
        data_emoji=reaction["emoji"],
        data_mine=mine.to_string(),
    )


def _who_reacted(message: rx.Var[MessageView]) -> rx.Component:
    """Everyone who reacted, emoji by emoji, in a popover a click or a tap opens."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("users", size=12),
                variant="ghost",
                size="1",
                radius="full",
                aria_label="Who reacted",
                title="Who reacted",
                class_name="who-reacted",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.foreach(
                    message["reactions"],
                    lambda reaction: rx.hstack(
                        emoji_label(reaction["emoji"]),
                        rx.text(reaction["users"].join(", "), size="2"),
                        align="center",
                        spacing="2",
                        class_name="reacted-by",
                    ),
                ),
                spacing="1",
            ),
            padding="0.5rem",
            max_width="18rem",
            aria_label="Who reacted",
        ),
    )


def reactions_row(message: rx.Var[MessageView], me: rx.Var[str]) -> rx.Component:
    """The chips under a message (`me`: AuthState.username, a prop of the message's row)."""
    return rx.cond(
        message["reactions"].length() > 0,
        rx.hstack(
            rx.foreach(message["reactions"], lambda reaction: _chip(message, reaction, me)),
            _who_reacted(message),
            spacing="1",
            wrap="wrap",
            class_name="reactions",
            margin_top="0.25rem",
        ),
    )


def reaction_picker(trigger: rx.Component, panel: str) -> rx.Component:
    """The picker `trigger` (the toolbar's "Add reaction", components/message_toolbar.py) opens for the message
    RoomState.reacting_id, in the room's history or the thread panel (`panel`): your most used emoji first."""
    message_id = RoomState.reacting_id
    return rx.popover.root(
        rx.popover.trigger(trigger),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.foreach(
                        RoomState.favourites,
                        lambda emoji: rx.button(
                            emoji_label(emoji),
                            on_click=RoomState.react(message_id, emoji),
                            variant="ghost",
                            size="2",
                            # Radix pulls ghost buttons out by a negative margin: side by side they overlap.
                            margin="0",
                            aria_label="React with " + emoji,
                            class_name="favourite-emoji",
                        ),
                    ),
                    spacing="1",
                    aria_label="Your most used reactions",
                ),
                EmojiPicker.create(
                    on_pick=lambda emoji: RoomState.react(message_id, emoji),
                    substate=AuthState.get_full_name(),
                    base=AuthState.files_base,
                ),
                spacing="2",
            ),
            padding="0.5rem",
            aria_label="Reactions",
        ),
        # The toolbar opens it (with the message's id); a click outside or Escape closes it.
        on_open_change=lambda is_open: RoomState.reactions_closed(is_open),
        open=(message_id > 0) & (RoomState.reacting_in == panel),
    )
