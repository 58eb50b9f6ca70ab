"""Notifications with the tab closed: the account page's switch for this browser.

The browser side is assets/push_switch.js (PushSwitch: service worker registration, permission,
subscription; it renders nothing) and assets/sw.js (shows each push, opens the room on a click); the
server side is push.py.
"""

import reflex as rx
from reflex_base.event import passthrough_event_spec

from djangochat_rx.components.layout import error_callout
from djangochat_rx.state.push import PushState


class PushSwitch(rx.Component):
    """Does in this browser what PushState.push_request asks, and hands the answer to on_result."""

    library = "$/public/push_switch.js"
    tag = "PushSwitch"
    is_default = False

    vapid_key: rx.Var[str]
    request: rx.Var[str]
    on_result: rx.EventHandler[passthrough_event_spec(dict)]


def push_settings() -> rx.Component:
    status = rx.match(
        PushState.push_status,
        ("on", "On: mentions and direct messages reach this browser even with every tab closed."),
        ("off", "Off for this browser."),
        ("unsupported", "This browser cannot show notifications from a closed tab."),
        "Checking this browser…",
    )
    return rx.vstack(
        rx.heading("Notifications on this device", size="4", margin_top="2rem"),
        rx.text(status, size="2", id="push-status"),
        rx.cond(
            PushState.push_status == "on",
            rx.button("Turn off on this device", on_click=PushState.turn_off, variant="soft", size="2"),
            rx.cond(
                PushState.push_status == "off",
                rx.button("Turn on for this device", on_click=PushState.turn_on, variant="soft", size="2"),
            ),
        ),
        rx.text(
            PushState.push_devices.to_string() + " of your browsers take notifications.",
            size="1",
            color=rx.color("gray", 11),
        ),
        error_callout(PushState.push_error),
        PushSwitch.create(vapid_key=PushState.push_key, request=PushState.push_request, on_result=PushState.answered),
        spacing="2",
        width="100%",
        on_mount=PushState.check,
        id="push-settings",
    )
