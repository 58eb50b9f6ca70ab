"""The login and registration pages, and `/`, which only redirects."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.layout import error_callout, labeled_input, page, submit_button
from djangochat_rx.components.passkey import Passkey
from djangochat_rx.state.auth import AccountFormState, SecondStepState
from djangochat_rx.state.sso import SsoState


def index() -> rx.Component:
    return page(rx.center(rx.spinner(size="3"), padding="4rem"), logged_in=False)


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            labeled_input("Username", "username", auto_complete="username", required=True),
            labeled_input("Password", "password", type="password", auto_complete="current-password", required=True),
            error_callout(AccountFormState.error),
            submit_button("Log in", loading=AccountFormState.pending, width="100%"),
            spacing="3",
        ),
        on_submit=AccountFormState.login,
    )


def _sso_buttons() -> rx.Component:
    """A button per single sign-on provider (settings.OIDC_PROVIDERS)."""
    return rx.cond(
        AccountFormState.sso_buttons.length() > 0,
        rx.vstack(
            rx.cond(
                AccountFormState.passwords,
                rx.text("or", size="2", color=rx.color("gray", 11), align="center", width="100%"),
            ),
            rx.foreach(
                AccountFormState.sso_buttons,
                lambda button: rx.button(
                    # A whole-page navigation to the backend (React Router would look for a page there).
                    rx.el.a(button["label"], href=button["url"], custom_attrs={"reloadDocument": True}),
                    as_child=True,
                    variant="outline",
                    width="100%",
                    class_name="sso-button",
                ),
            ),
            spacing="2",
            margin_top="1rem",
            width="100%",
        ),
    )


def _passkey_sign_in() -> rx.Component:
    """Sign in with a passkey alone (the browser offers the ones it holds for this site)."""
    return rx.vstack(
        rx.button(
            "Sign in with a passkey",
            on_click=AccountFormState.passkey_sign_in,
            type="button",
            variant="outline",
            width="100%",
            id="passkey-sign-in",
        ),
        error_callout(AccountFormState.passkey_error),
        Passkey.create(request=AccountFormState.passkey_request, on_result=AccountFormState.passkey_answered),
        spacing="2",
        margin_top="1rem",
        width="100%",
    )


def login() -> rx.Component:
    return page(
        rx.heading("Log in", size="7", margin_bottom="1rem"),
        rx.cond(AccountFormState.passwords, _password_form(), error_callout(AccountFormState.error)),
        _passkey_sign_in(),
        _sso_buttons(),
        rx.cond(
            AccountFormState.passwords,
            rx.fragment(
                rx.text(rx.link("Forgot password?", href=routes.FORGOT), margin_top="1rem"),
                rx.text("No account yet? ", rx.link("Register", href=routes.REGISTER), margin_top="0.5rem"),
            ),
        ),
        logged_in=False,
    )


_REFUSALS = {
    "closed": "Sign-up is closed on this server. Ask an administrator to create an account for you.",
    "invite": "Registering here needs an invite link. Ask an administrator for one.",
    "invalid invite": "This invite link cannot be used: it has expired, been used up or been revoked. "
    "Ask for a new one.",
    "sso": "Accounts here come from single sign-on: sign in with a button on the login page.",
}


def _register_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            labeled_input("Username", "username", auto_complete="username", required=True),
            labeled_input("Password", "password", type="password", auto_complete="new-password", required=True),
            labeled_input(
                "Confirm password", "confirm_password", type="password", auto_complete="new-password", required=True
            ),
            rx.text(
                "3–32 letters, digits, _ . or -; password 8+ characters, at most 72 bytes.",
                size="1",
                color=rx.color("gray", 11),
            ),
            error_callout(AccountFormState.error),
            submit_button("Register", loading=AccountFormState.pending, width="100%"),
            spacing="3",
        ),
        on_submit=AccountFormState.register,
    )


def _address_form() -> rx.Component:
    """Open sign-up for one domain: the address first; the emailed link opens the registration form."""
    return rx.form(
        rx.vstack(
            rx.text("Accounts here are for addresses at @", AccountFormState.signup_domain, ".", size="2"),
            labeled_input("Email address", "email", type="email", auto_complete="email", required=True),
            error_callout(AccountFormState.error),
            rx.cond(
                AccountFormState.signup_sent != "",
                rx.callout(
                    AccountFormState.signup_sent, icon="mail", color_scheme="green", role="status", id="signup-sent"
                ),
            ),
            submit_button("Email me a link", width="100%"),
            spacing="3",
        ),
        on_submit=AccountFormState.request_signup,
    )


def register() -> rx.Component:
    refusal = rx.match(AccountFormState.register_status, *_REFUSALS.items(), "")
    return page(
        rx.heading("Create an account", size="7", margin_bottom="1rem"),
        rx.match(
            AccountFormState.register_status,
            ("form", _register_form()),
            ("email", _address_form()),
            rx.callout(refusal, icon="lock", color_scheme="amber", role="status", id="signup-refusal"),
        ),
        rx.text("Have an account? ", rx.link("Log in", href=routes.LOGIN), margin_top="1rem"),
        logged_in=False,
    )


def login_code() -> rx.Component:
    """The code step of a sign-in with a second factor."""
    return page(
        rx.heading("Two-factor sign-in", size="7", margin_bottom="1rem"),
        rx.form(
            rx.vstack(
                rx.text("Open your authenticator app and type the 6-digit code it shows for this account.", size="2"),
                labeled_input(
                    "Code",
                    "code",
                    auto_complete="one-time-code",
                    input_mode="numeric",
                    max_length=24,
                    required=True,
                    auto_focus=True,
                ),
                rx.text(
                    "Lost your phone? Type one of your recovery codes instead.", size="1", color=rx.color("gray", 11)
                ),
                error_callout(SecondStepState.error),
                submit_button("Sign in", loading=SecondStepState.pending, width="100%"),
                spacing="3",
            ),
            on_submit=SecondStepState.verify,
            reset_on_submit=True,
        ),
        rx.button(
            "Use a passkey instead",
            on_click=SecondStepState.use_passkey,
            type="button",
            variant="outline",
            width="100%",
            margin_top="1rem",
        ),
        error_callout(SecondStepState.passkey_error),
        Passkey.create(request=SecondStepState.passkey_request, on_result=SecondStepState.passkey_answered),
        rx.button("Start over", on_click=SecondStepState.cancel, type="button", variant="ghost", margin_top="1rem"),
        logged_in=False,
    )


def _choose_username() -> rx.Component:
    """A new account's username, proposed from the provider's profile: kept or changed here, once."""
    return rx.form(
        rx.vstack(
            rx.text("Welcome! This is your username here: people see it and @mention you with it."),
            labeled_input("Username", "username", default_value=SsoState.proposed, max_length=32, required=True),
            rx.text("You can change it now, once.", size="1", color=rx.color("gray", 11)),
            error_callout(SsoState.error),
            submit_button("Continue", loading=SsoState.pending, id="choose-username"),
            spacing="3",
            width="100%",
        ),
        on_submit=SsoState.choose_username,
        reset_on_submit=False,
        width="100%",
        key=SsoState.proposed,
    )


def login_sso() -> rx.Component:
    """Where a single sign-on provider's return lands: the session starts (a new account first keeps or changes
    its proposed username), or the page says why not."""
    return page(
        rx.heading("Signing in", size="7", margin_bottom="1rem"),
        rx.cond(
            SsoState.proposed != "",
            _choose_username(),
            rx.cond(
                SsoState.error != "",
                rx.vstack(error_callout(SsoState.error), rx.link("Back to the login page", href=routes.LOGIN)),
                rx.center(rx.spinner(size="3"), padding="2rem"),
            ),
        ),
        logged_in=False,
    )
