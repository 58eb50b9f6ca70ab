"""LocalTime (assets/local_time.js): a message's time, "HH:mm" in the reader's time zone, the ISO time on hover.

Each message row used rx.moment (react-moment): its library is fetched only when the first row draws, so the
first message of a page waited for it, and every instance joined a timer re-rendering it each minute."""

import reflex as rx
from reflex.vars.base import VarData
from reflex.vars.function import FunctionStringVar

# local_time_core.js's clock, called in the page's own code (a label that names a message's time).
_CLOCK = FunctionStringVar.create(
    "clock", _var_data=VarData(imports={"$/public/local_time_core.js": [rx.ImportVar(tag="clock", is_default=False)]})
)


class LocalTime(rx.Component):
    """`value`: an ISO 8601 time."""

    library = "$/public/local_time.js"
    tag = "LocalTime"
    is_default = False

    value: rx.Var[str]


def clock(value: rx.Var[str]) -> rx.Var[str]:
    """ "HH:mm" of ISO time `value` in the reader's time zone, as LocalTime writes it (for an accessible name)."""
    return _CLOCK.call(value).to(str)
