"""QuietNotice (assets/quiet_notice.js): under the message box, before sending, which of the people written to
(a direct conversation's members, or the @mentioned) may not be disturbed now — "ann: 23:10 for them, notified at
09:00 their time" — from the room's quiet people the server lists (availability.quiet_in_room). The message still
posts at once; their notification waits for their day."""

import reflex as rx
from reflex_base.event import passthrough_event_spec


class QuietNotice(rx.Component):
    library = "$/public/quiet_notice.js"
    tag = "QuietNotice"
    is_default = False

    # The message box's element id; the room's quiet people ({name, zone, until}); whether the room is a direct
    # conversation (every quiet member counts, mentioned or not).
    box: rx.Var[str]
    people: rx.Var[list[dict[str, str]]]
    direct: rx.Var[bool]
    # Whether "Send when <name> is back" is offered: on_schedule(text, "at", until) (state/room_later.py).
    scheduling: rx.Var[bool]
    on_want: rx.EventHandler[lambda: []]
    on_schedule: rx.EventHandler[passthrough_event_spec(str, str, str)]
    # A direct conversation's "Notify now (urgent)": on_urgent(text) posts it and notifies at once.
    on_urgent: rx.EventHandler[passthrough_event_spec(str)]
