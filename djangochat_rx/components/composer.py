"""What the message box does in the browser beside Reflex's text area: the @ mention and / command picker
(Picker, assets/picker.js) and the per-room draft, counter and height (Draft, assets/draft.js)."""

import reflex as rx
from reflex_base.event import no_args_event_spec


class Picker(rx.Component):
    """Offers `names` after "@" and `commands` ("name\\tusage\\thelp") after "/" in `box` (an element id), asking
    on_want_names / on_want_commands to load them on first use."""

    library = "$/public/picker.js"
    tag = "Picker"
    is_default = False

    box: rx.Var[str]
    names: rx.Var[list[str]]
    commands: rx.Var[list[str]]
    on_want_names: rx.EventHandler[no_args_event_spec]
    on_want_commands: rx.EventHandler[no_args_event_spec]


class Draft(rx.Component):
    """Keeps `box`'s unsent text per room, fills `counter` (an element id) against `limit`, fits the box's height."""

    library = "$/public/draft.js"
    tag = "Draft"
    is_default = False

    box: rx.Var[str]
    counter: rx.Var[str]
    limit: rx.Var[int]
