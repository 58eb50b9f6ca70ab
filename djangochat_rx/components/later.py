"""Send later and Remind me on the room page: the composer's clock menu beside Send (SendLater,
assets/send_later.js, hands the box's text to RoomState.send_later) and the Remind me dialog a message's alarm-clock
tool opens (presets and a chosen time, in the person's zone)."""

import reflex as rx
from reflex_base.event import passthrough_event_spec

from djangochat_rx.components.layout import error_callout
from djangochat_rx.domain.when import PRESETS
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.room_composer import COMPOSER_ID

LATER_PICK_ID = "later-pick"
REMIND_PICK_ID = "remind-pick"
# The composer offers these presets (Remind me offers them all).
SEND_LATER_PRESETS = ("1h", "tomorrow", "monday")


class SendLater(rx.Component):
    """Around the clock menu: a click on a button marked data-later="<choice>" calls on_schedule(the text of
    `box`, choice, the value of `picker` for "pick")."""

    library = "$/public/send_later.js"
    tag = "SendLater"
    is_default = False

    box: rx.Var[str]
    picker: rx.Var[str]
    on_schedule: rx.EventHandler[passthrough_event_spec(str, str, str)]


def _pick_input(input_id: str, name: str = "when") -> rx.Component:
    return rx.el.input(
        type="datetime-local",
        id=input_id,
        name=name,
        step="1",
        class_name="rt-TextFieldInput later-pick",
        style={"padding": "0.25rem", "border": "1px solid var(--gray-7)", "borderRadius": "4px"},
    )


def send_later_control() -> rx.Component:
    """The clock button beside Send and its menu: the presets, and "Pick a time…" with a date-time input."""
    return SendLater.create(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(
                    rx.icon("clock", size=16),
                    type="button",
                    variant="soft",
                    aria_label="Send later",
                    title="Send later",
                )
            ),
            rx.popover.content(
                rx.vstack(
                    rx.text("Send later", weight="bold", size="2"),
                    *[
                        rx.popover.close(
                            rx.button(
                                PRESETS[name][0],
                                type="button",
                                variant="ghost",
                                data_later=name,
                                class_name="later-preset",
                            )
                        )
                        for name in SEND_LATER_PRESETS
                    ],
                    rx.el.label("Pick a time…", html_for=LATER_PICK_ID, class_name="rt-Text rt-r-size-2"),
                    _pick_input(LATER_PICK_ID),
                    rx.text("Times are in ", RoomState.zone_name, ".", size="1", color=rx.color("gray", 11)),
                    rx.button("Schedule", type="button", data_later="pick", id="later-schedule", size="1"),
                    spacing="2",
                    align="start",
                ),
                aria_label="Send later",
            ),
        ),
        box=COMPOSER_ID,
        picker=LATER_PICK_ID,
        on_schedule=RoomState.send_later,
    )


def later_said() -> rx.Component:
    """What was scheduled or set, under the box, with the way to the lists."""
    return rx.cond(
        RoomState.later_said != "",
        rx.text(
            RoomState.later_said,
            " ",
            rx.link("Scheduled", href="/scheduled"),
            " · ",
            rx.link("Reminders", href="/reminders"),
            id="later-said",
            size="1",
            role="status",
            color=rx.color("gray", 11),
        ),
    )


def remind_dialog() -> rx.Component:
    """Remind me of a message: in 20 minutes, 1 hour, 3 hours, tomorrow at 9:00, Monday at 9:00, or a chosen time."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Remind me"),
            rx.dialog.description("You get a notice linking to this message at the time you choose.", size="2"),
            rx.vstack(
                *[
                    rx.button(
                        label,
                        type="button",
                        variant="soft",
                        on_click=RoomState.remind_preset(name),
                        class_name="remind-preset",
                        width="100%",
                    )
                    for name, (label, _) in PRESETS.items()
                ],
                rx.form(
                    rx.vstack(
                        rx.el.label("A chosen time", html_for=REMIND_PICK_ID, class_name="rt-Text rt-r-size-2"),
                        _pick_input(REMIND_PICK_ID),
                        rx.text("Times are in ", RoomState.zone_name, ".", size="1", color=rx.color("gray", 11)),
                        rx.button("Remind me then", type="submit", id="remind-at"),
                        spacing="2",
                        align="start",
                    ),
                    on_submit=RoomState.remind_at,
                    reset_on_submit=False,
                ),
                error_callout(RoomState.remind_error),
                rx.dialog.close(rx.button("Cancel", type="button", variant="ghost")),
                spacing="2",
                width="100%",
            ),
            max_width="24rem",
        ),
        open=RoomState.reminding_id != 0,
        on_open_change=RoomState.remind_closed,
    )
