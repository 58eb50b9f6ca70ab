"""Pages for getting in: the first administrator of an empty instance, "Forgot password", a reset
link's page and an address check's page."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.layout import error_callout, labeled_input, page, submit_button
from djangochat_rx.domain import signup
from djangochat_rx.state.joining import ForgotState, ResetState, SetupState, UnsubscribeState, VerifyState


def _new_password_fields() -> list[rx.Component]:
    return [
        labeled_input("New password", "password", type="password", auto_complete="new-password", required=True),
        labeled_input(
            "Confirm new password", "confirm_password", type="password", auto_complete="new-password", required=True
        ),
        rx.text("8+ characters, at most 72 bytes.", size="1", color=rx.color("gray", 11)),
    ]


def setup() -> rx.Component:
    return page(
        rx.heading("Set up DjangoChat RX", size="7", margin_bottom="0.5rem"),
        rx.text("Nobody uses this server yet. Create its first administrator, and choose who may join.", size="2"),
        rx.form(
            rx.vstack(
                labeled_input("Administrator's username", "username", auto_complete="username", required=True),
                labeled_input("Password", "password", type="password", auto_complete="new-password", required=True),
                labeled_input(
                    "Confirm password", "confirm_password", type="password", auto_complete="new-password", required=True
                ),
                rx.el.fieldset(
                    rx.el.legend("Who may create an account", font_weight="500"),
                    rx.radio_group.root(
                        rx.vstack(
                            *[
                                rx.text(
                                    rx.radio_group.item(value=mode),
                                    label,
                                    as_="label",
                                    size="2",
                                    display="flex",
                                    gap="0.5rem",
                                )
                                for mode, label in signup.MODE_LABELS.items()
                            ],
                            spacing="2",
                        ),
                        name="mode",
                        default_value=signup.DEFAULT_MODE,
                    ),
                    border="none",
                    padding="0",
                    margin="0",
                ),
                error_callout(SetupState.error),
                submit_button("Create administrator", loading=SetupState.pending, width="100%"),
                spacing="3",
                margin_top="1rem",
            ),
            on_submit=SetupState.set_up,
        ),
        logged_in=False,
    )


def forgot() -> rx.Component:
    return page(
        rx.heading("Forgot password", size="7", margin_bottom="1rem"),
        rx.cond(
            ForgotState.email_enabled,
            rx.form(
                rx.vstack(
                    rx.text("We email a link to reset it to your account's verified address.", size="2"),
                    labeled_input("Username or email address", "login", auto_complete="username", required=True),
                    error_callout(ForgotState.error),
                    rx.cond(
                        ForgotState.sent != "",
                        rx.callout(
                            ForgotState.sent, icon="mail", color_scheme="green", role="status", id="forgot-sent"
                        ),
                    ),
                    submit_button("Email me a link", width="100%"),
                    spacing="3",
                ),
                on_submit=ForgotState.request,
            ),
            rx.callout(
                "This server does not send email. An administrator can give you a link to reset your password.",
                icon="info",
                role="status",
            ),
        ),
        rx.text(rx.link("Back to log in", href=routes.LOGIN), margin_top="1rem"),
        logged_in=False,
    )


def reset() -> rx.Component:
    return page(
        rx.heading("Choose a new password", size="7", margin_bottom="1rem"),
        rx.match(
            ResetState.status,
            (
                "form",
                rx.form(
                    rx.vstack(
                        rx.text("For ", rx.text.strong(ResetState.for_user), ". Every session of the account ends."),
                        *_new_password_fields(),
                        error_callout(ResetState.error),
                        submit_button("Set password and log in", loading=ResetState.pending, width="100%"),
                        spacing="3",
                    ),
                    on_submit=ResetState.set_password,
                ),
            ),
            (
                "invalid",
                rx.callout(
                    "This link cannot be used: it has expired or was used already. Ask for a new one.",
                    icon="triangle_alert",
                    color_scheme="red",
                    role="alert",
                    id="link-invalid",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="2rem"),
        ),
        rx.text(rx.link("Forgot password?", href=routes.FORGOT), margin_top="1rem"),
        logged_in=False,
    )


def verify() -> rx.Component:
    return page(
        rx.heading("Email address", size="7", margin_bottom="1rem"),
        rx.match(
            VerifyState.status,
            (
                "form",
                rx.vstack(
                    rx.text(VerifyState.message, id="verify-question"),
                    rx.button("Confirm this address", on_click=VerifyState.confirm, id="confirm-email"),
                    spacing="3",
                ),
            ),
            ("done", rx.callout(VerifyState.message, icon="check", color_scheme="green", role="status", id="verified")),
            (
                "invalid",
                rx.callout(
                    VerifyState.message, icon="triangle_alert", color_scheme="red", role="alert", id="link-invalid"
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="2rem"),
        ),
        rx.text(rx.link("Go to your account", href=routes.ACCOUNT), margin_top="1rem"),
        logged_in=False,
    )


def unsubscribe() -> rx.Component:
    return page(
        rx.heading("Unsubscribe", size="7", margin_bottom="1rem"),
        rx.match(
            UnsubscribeState.status,
            (
                "form",
                rx.vstack(
                    rx.text("Stop the emails about unread mentions and direct messages?"),
                    rx.button("Unsubscribe", on_click=UnsubscribeState.confirm),
                    spacing="3",
                ),
            ),
            (
                "done",
                rx.callout(
                    UnsubscribeState.message, icon="check", color_scheme="green", role="status", id="unsubscribed"
                ),
            ),
            rx.callout(
                UnsubscribeState.message, icon="triangle_alert", color_scheme="red", role="alert", id="link-invalid"
            ),
        ),
        rx.text(rx.link("Your account page", href=routes.ACCOUNT), margin_top="1rem"),
        logged_in=False,
    )
