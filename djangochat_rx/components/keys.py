"""The page's one keyboard handler (assets/keys.js; what each key does is assets/keys_core.js): it renders
nothing and hands the shortcuts to Reflex event props."""

import reflex as rx
from reflex_base.event import no_args_event_spec, passthrough_event_spec


class Keys(rx.Component):
    """Ctrl/Cmd+K -> on_switch; Alt+ArrowUp / Alt+ArrowDown -> on_step(-1 / 1); Escape (outside text fields,
    dialogs and menus) -> on_escape; Up arrow in the empty `composer` -> on_edit(id of `me`'s newest message in
    `messages`); Escape in `edit_box` -> on_cancel_edit; a new `edit_box` takes the focus with the caret after its
    text. Every prop is optional; several Keys on a page add up."""

    library = "$/public/keys.js"
    tag = "Keys"
    is_default = False

    composer: rx.Var[str]
    edit_box: rx.Var[str]
    messages: rx.Var[list]
    me: rx.Var[str]
    on_switch: rx.EventHandler[no_args_event_spec]
    on_step: rx.EventHandler[passthrough_event_spec(int)]
    on_escape: rx.EventHandler[no_args_event_spec]
    on_edit: rx.EventHandler[passthrough_event_spec(int)]
    on_cancel_edit: rx.EventHandler[no_args_event_spec]
