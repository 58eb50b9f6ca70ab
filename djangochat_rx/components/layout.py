"""The frame every page sits in: a navbar with the account controls, and a centred column (or, for the room, one
as tall as the window)."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.custom_emoji import emoji_style
from djangochat_rx.components.notices import MentionNotice
from djangochat_rx.components.prefetch import ROOM_PAGE, PrefetchPage
from djangochat_rx.components.sidebar import color_mode_button, dialogs, sidebar, top_bar
from djangochat_rx.components.switcher import quick_switcher
from djangochat_rx.components.time_zone import TimeZoneProbe
from djangochat_rx.state.auth import AuthState


def navbar() -> rx.Component:
    """The logged-out pages' bar: the brand, Log in and Register."""
    return rx.el.header(
        rx.el.nav(
            rx.flex(
                rx.link(rx.heading("DjangoChat RX", size="5"), href=routes.INDEX, underline="none"),
                rx.spacer(),
                rx.hstack(
                    rx.link("Log in", href=routes.LOGIN),
                    rx.link("Register", href=routes.REGISTER),
                    color_mode_button(),
                    spacing="4",
                    align="center",
                ),
                align="center",
                width="100%",
            ),
            aria_label="Main",
        ),
        padding="0.75rem 1rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
    )


def _flash() -> rx.Component:
    """What the handler that sent the tab here had to say (AuthState.flash), shown on this page only."""
    return rx.cond(
        AuthState.flash != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("info")),
            rx.callout.text(
                AuthState.flash,
                rx.cond(
                    AuthState.flash_link.contains("url"),
                    rx.el.a(
                        " " + AuthState.flash_link["text"].to(str),
                        href=AuthState.flash_link["url"].to(str),
                        # A whole-page navigation to the backend (React Router would look for a page there).
                        custom_attrs={"reloadDocument": True},
                        class_name="flash-link",
                    ),
                ),
            ),
            role="status",
            id="flash",
            margin_bottom="1rem",
        ),
    )


def _later_notice() -> rx.Component:
    """A reminder that fell due or a scheduled message that failed, while the page is open (AuthState.later_notice,
    written by realtime/), with its link."""
    return rx.cond(
        AuthState.later_notice.contains("text"),
        rx.callout.root(
            rx.callout.icon(rx.icon("alarm-clock")),
            rx.callout.text(
                AuthState.later_notice["text"].to(str),
                " ",
                rx.link(AuthState.later_notice["link"].to(str), href=AuthState.later_notice["href"].to(str)),
            ),
            role="status",
            id="later-notice",
            color_scheme="amber",
            margin_bottom="1rem",
        ),
    )


def _logged_out_notice() -> rx.Component:
    """Shown on a logged-in page once the session token is gone (e.g. logged out in another tab)."""
    return rx.cond(
        rx.State.is_hydrated & (AuthState.session_token == ""),
        rx.callout(
            rx.text("You are logged out. ", rx.link("Log in again", href=routes.LOGIN), "."),
            icon="log_out",
            color_scheme="amber",
            role="alert",
            id="logged-out",
            margin_bottom="1rem",
        ),
    )


def page(
    *children: rx.Component,
    logged_in: bool = True,
    wide: bool = False,
    fill: bool = False,
    title: rx.Var[str] | str = "DjangoChat RX",
) -> rx.Component:
    """A page. Signed in: the workspace sidebar (on a phone, a top bar with `title` opening it) beside the
    page's column; logged out: a bar with Log in and Register over it. The column fits a phone screen. With
    `fill` (signed in) the column is exactly as tall as the window and as wide as the workspace: the page never
    scrolls, its children share the height (chat.css `.page-fill`)."""
    column = rx.el.main(
        _logged_out_notice() if logged_in else rx.fragment(),
        _flash(),
        _later_notice() if logged_in else rx.fragment(),
        *children,
        width="100%",
        max_width="80rem" if fill else "56rem" if wide else "28rem",
        margin_x="auto",
        padding="1rem",
        class_name="page-fill" if fill else "",
    )
    if not logged_in:
        return rx.box(navbar(), column, min_height="100vh")
    return rx.box(
        sidebar(),
        rx.box(top_bar(title), column, class_name="workspace-main workspace-fill" if fill else "workspace-main"),
        MentionNotice.create(notice=AuthState.notice.to_string()),
        TimeZoneProbe.create(ask=AuthState.zone_unknown, on_zone=AuthState.note_time_zone),
        emoji_style(),
        quick_switcher(),
        dialogs(),
        # A room is what people open next from any page: its scripts load now (components/prefetch.py).
        PrefetchPage.create(page=ROOM_PAGE),
        class_name="workspace",
    )


def error_callout(message: rx.Var[str]) -> rx.Component:
    """An on-page error, announced to screen readers, shown only when there is one."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def shown_once(label: str | rx.Var[str], value: rx.Var[str], input_id: str) -> rx.Component:
    """A secret just made (a token, a webhook URL, a link), shown once in a read-only box with Copy; nothing
    while there is none. We keep only its hash."""
    return rx.cond(
        value != "",
        rx.vstack(
            rx.el.label(label, html_for=input_id, font_weight="500", font_size="var(--font-size-2)"),
            rx.hstack(
                rx.input(id=input_id, value=value, read_only=True, width="100%"),
                rx.button("Copy", on_click=rx.set_clipboard(value), variant="soft"),
                width="100%",
            ),
            rx.text("Shown only once: we keep only a hash of it.", size="1", color=rx.color("gray", 11)),
            spacing="1",
            width="100%",
        ),
    )


def labeled_input(label: str, name: str, **props) -> rx.Component:
    """A text input with a visible label tied to it."""
    return rx.vstack(
        rx.el.label(label, html_for=name, font_weight="500"),
        rx.input(id=name, name=name, width="100%", **props),
        spacing="1",
        width="100%",
    )


def current_password_input(input_id: str, **props) -> rx.Component:
    """The field a change that a stolen session must not make asks for: the account's current password."""
    return rx.input(
        id=input_id,
        name="password",
        type="password",
        placeholder="Your current password",
        aria_label="Your current password",
        auto_complete="current-password",
        **props,
    )


def submit_button(label: str, **props) -> rx.Component:
    """A sign-in or joining form's submit button, enabled once the page's own load has run (`is_hydrated` turns
    true after its on_load handlers): a press before it would reach the server ahead of the page's load, which
    then wipes the answer (a quick "Register" lost its "Passwords do not match")."""
    return rx.button(label, type="submit", disabled=~rx.State.is_hydrated, **props)


def inline_form(field: rx.Component, button: str, on_submit: rx.event.EventType, **props) -> rx.Component:
    """A one-line form: a field with its submit button beside it."""
    return rx.form(
        rx.hstack(field, rx.button(button, type="submit"), width="100%"),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
        **props,
    )
