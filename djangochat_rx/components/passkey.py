"""Passkey (assets/passkey.js): runs, in the browser, the WebAuthn ceremony a page's state asks for
(state/passkeys.py's passkey_request) and hands the credential (or why not) to on_result."""

import reflex as rx
from reflex_base.event import passthrough_event_spec


class Passkey(rx.Component):
    library = "$/public/passkey.js"
    tag = "Passkey"
    is_default = False

    request: rx.Var[str]
    on_result: rx.EventHandler[passthrough_event_spec(dict)]
