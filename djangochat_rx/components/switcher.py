"""The quick switcher dialog and the keyboard shortcuts that open it (state/switcher.py): Ctrl/Cmd+K and
Alt+Up/Down go through the page's one keyboard handler (components/keys.py)."""

import reflex as rx

from djangochat_rx.components.keys import Keys
from djangochat_rx.domain.switcher import Choice
from djangochat_rx.state.switcher import SwitcherState


def _choice(choice: rx.Var[Choice], index: rx.Var[int]) -> rx.Component:
    return rx.el.li(
        rx.button(
            rx.hstack(
                rx.text(choice["label"], weight="medium"),
                rx.text(choice["detail"], size="1", color=rx.color("gray", 11)),
                rx.spacer(),
                rx.cond(choice["unread"] > 0, rx.badge(choice["unread"].to_string(), size="1")),
                width="100%",
                align="center",
            ),
            on_click=SwitcherState.go(index),
            variant="ghost",
            width="100%",
            justify="start",
            class_name="switcher-choice",
        ),
        list_style="none",
    )


def quick_switcher() -> rx.Component:
    """Ctrl/Cmd+K: jump to a room or a person; Alt+Up/Down: previous/next room."""
    return rx.fragment(
        Keys.create(on_switch=SwitcherState.open_switcher, on_step=SwitcherState.step),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Jump to a room or person", size="3"),
                rx.dialog.description(
                    "Type a name; Enter goes to the first match. Alt+↑ / Alt+↓: the previous / next room.",
                    size="1",
                ),
                rx.form(
                    rx.input(
                        name="query",
                        id="switcher-query",
                        placeholder="Room or person",
                        aria_label="Room or person",
                        auto_focus=True,
                        auto_complete="off",
                        on_change=SwitcherState.narrow.debounce(80),
                        margin_top="0.75rem",
                    ),
                    on_submit=SwitcherState.go_first,
                    reset_on_submit=False,
                ),
                rx.cond(
                    SwitcherState.switcher_error != "",
                    rx.callout(SwitcherState.switcher_error, icon="triangle_alert", color_scheme="red", role="alert"),
                ),
                rx.el.ul(
                    rx.foreach(SwitcherState.choices, _choice),
                    padding="0",
                    margin="0.5rem 0 0 0",
                    id="switcher-choices",
                ),
                rx.cond(
                    SwitcherState.choices.length() == 0,
                    rx.text("Nothing matches.", size="2", color=rx.color("gray", 11), margin_top="0.5rem"),
                ),
                max_width="28rem",
            ),
            open=SwitcherState.switcher_open,
            on_open_change=SwitcherState.set_open,
        ),
    )
