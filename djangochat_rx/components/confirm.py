"""A button that asks before it acts."""

import reflex as rx


def confirmed_button(
    label: str, question: rx.Var[str] | str, consequence: str, on_confirm: rx.event.EventType, **props
):
    """A button that asks first: `on_confirm` runs only from the dialog's own `label` button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(label, size="1", color_scheme="red", variant="soft", **props)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(question),
            rx.alert_dialog.description(consequence),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.alert_dialog.action(rx.button(label, color_scheme="red", on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )
