"""TimeZoneProbe (assets/time_zone_probe.js): the browser tells the server its time zone, once, when the person's
is not known yet (availability.py); the account page changes it."""

import reflex as rx
from reflex_base.event import passthrough_event_spec


class TimeZoneProbe(rx.Component):
    """While `ask` is true, hands the browser's IANA time zone name (Intl) to `on_zone`; renders nothing."""

    library = "$/public/time_zone_probe.js"
    tag = "TimeZoneProbe"
    is_default = False

    ask: rx.Var[bool]
    on_zone: rx.EventHandler[passthrough_event_spec(str)]
