"""The marks beside a person's name: "guest" (an account that reads only the rooms it was added to)."""

import reflex as rx


def guest_mark(**props) -> rx.Component:
    """The "guest" badge, wherever a guest's name appears (messages, members, profiles, the admin area)."""
    return rx.badge("guest", color_scheme="amber", variant="soft", size="1", class_name="guest-mark", **props)
