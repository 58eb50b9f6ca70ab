"""LocalTime (assets/local_time.js): a message's time, "HH:mm" in the reader's time zone, the ISO time on hover.

Each message row used rx.moment (react-moment): its library is fetched only when the first row draws, so the
first message of a page waited for it, and every instance joined a timer re-rendering it each minute."""

import reflex as rx


class LocalTime(rx.Component):
    """`value`: an ISO 8601 time."""

    library = "$/public/local_time.js"
    tag = "LocalTime"
    is_default = False

    value: rx.Var[str]
