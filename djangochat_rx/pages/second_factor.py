"""The two-factor page: sign-in with an authenticator app turned on (QR code, first code, recovery codes shown
once), new recovery codes, or turned off."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.layout import error_callout, page
from djangochat_rx.components.passkey import Passkey
from djangochat_rx.domain.passkeys import PasskeyView
from djangochat_rx.state.second_factor import TwoFactorState


def _code_input(input_id: str, label: str = "Code from your app") -> rx.Component:
    return rx.input(
        id=input_id,
        name="code",
        placeholder=label,
        aria_label=label,
        auto_complete="one-time-code",
        max_length=24,
        flex="1 1 10rem",
    )


def _codes() -> rx.Component:
    """Fresh recovery codes, shown this once."""
    return rx.cond(
        TwoFactorState.codes.length() > 0,
        rx.vstack(
            rx.heading("Your recovery codes", size="4"),
            rx.text(
                "Each code signs you in once if you lose your phone. Print them or keep them in a password manager: "
                "they are not shown again.",
                size="2",
            ),
            rx.el.ol(
                rx.foreach(TwoFactorState.codes, lambda code: rx.el.li(rx.code(code, size="3"))),
                id="recovery-codes",
                class_name="recovery-codes",
            ),
            rx.button("I have saved them", on_click=TwoFactorState.saved_codes, id="codes-saved"),
            spacing="2",
            padding="1rem",
            border=f"1px solid {rx.color('amber', 7)}",
            border_radius="8px",
            width="100%",
        ),
    )


def _enrol() -> rx.Component:
    """Off: a button shows a QR code; the app's first code turns sign-in with it on."""
    return rx.cond(
        TwoFactorState.qr != "",
        rx.vstack(
            rx.text(
                "Scan this code with an authenticator app (Google Authenticator, Aegis, 1Password, …), then type the "
                "6 digits it shows.",
                size="2",
            ),
            rx.image(src=TwoFactorState.qr, alt="QR code for your authenticator app", width="220px", id="totp-qr"),
            rx.text(
                "Cannot scan? Enter this key by hand: ", rx.code(TwoFactorState.secret, id="totp-secret"), size="2"
            ),
            rx.form(
                rx.hstack(_code_input("enrol-code"), rx.button("Turn on", type="submit"), width="100%"),
                on_submit=TwoFactorState.confirm,
                reset_on_submit=False,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        rx.button("Set up an authenticator app", on_click=TwoFactorState.start, id="totp-start"),
    )


def _manage() -> rx.Component:
    """On: new recovery codes, or off (the password and a code; not when required)."""
    return rx.vstack(
        rx.text(
            rx.badge("On", color_scheme="green"),
            " Signing in asks for a code from your authenticator app. Recovery codes left: ",
            rx.text.strong(TwoFactorState.recovery_codes_left),
            size="2",
            id="totp-status",
        ),
        rx.heading("New recovery codes", size="3", margin_top="1rem"),
        rx.form(
            rx.hstack(_code_input("codes-code"), rx.button("Make new codes", type="submit", variant="soft")),
            on_submit=TwoFactorState.new_codes,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            TwoFactorState.required,
            rx.text("Your server's administrators require a second factor: it cannot be turned off.", size="2"),
            rx.vstack(
                rx.heading("Turn off", size="3", margin_top="1rem"),
                rx.form(
                    rx.flex(
                        rx.input(
                            id="off-password",
                            name="password",
                            type="password",
                            placeholder="Your password",
                            aria_label="Your password",
                            auto_complete="current-password",
                            flex="1 1 10rem",
                        ),
                        _code_input("off-code"),
                        rx.button("Turn off", type="submit", color_scheme="red", variant="soft"),
                        gap="0.5rem",
                        wrap="wrap",
                        width="100%",
                    ),
                    on_submit=TwoFactorState.turn_off,
                    reset_on_submit=False,
                    width="100%",
                ),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _passkey_row(key: rx.Var[PasskeyView]) -> rx.Component:
    return rx.hstack(
        rx.text(rx.text.strong(key.name), size="2"),
        rx.text("added ", rx.moment(key.created_at, format="MMM D, YYYY"), size="1", color=rx.color("gray", 11)),
        rx.cond(
            key.last_used_at != "",
            rx.text("used ", rx.moment(key.last_used_at, from_now=True), size="1", color=rx.color("gray", 11)),
            rx.text("never used", size="1", color=rx.color("gray", 11)),
        ),
        rx.button(
            "Remove",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=TwoFactorState.remove_passkey(key.id),
            aria_label="Remove the passkey " + key.name,
        ),
        align="center",
        wrap="wrap",
        class_name="passkey-row",
    )


def _passkeys() -> rx.Component:
    """Passkeys: listed (name, added, last used, Remove), and one more added with a name."""
    return rx.vstack(
        rx.heading("Passkeys", size="4", margin_top="1.5rem"),
        rx.text(
            "A passkey signs you in with your device's screen lock or security key: no password, no code. It also "
            "counts as your second factor.",
            size="2",
        ),
        rx.foreach(TwoFactorState.passkey_list, _passkey_row),
        rx.form(
            rx.hstack(
                rx.input(
                    id="passkey-name",
                    name="name",
                    placeholder="Name (e.g. work laptop)",
                    aria_label="Passkey name",
                    max_length=64,
                    flex="1 1 12rem",
                ),
                rx.button("Add a passkey", type="submit", variant="soft"),
                width="100%",
            ),
            on_submit=TwoFactorState.add_passkey,
            reset_on_submit=False,
            width="100%",
        ),
        error_callout(TwoFactorState.passkey_error),
        Passkey.create(request=TwoFactorState.passkey_request, on_result=TwoFactorState.passkey_answered),
        spacing="2",
        width="100%",
        id="passkeys",
    )


def two_factor() -> rx.Component:
    return page(
        rx.heading("Two-factor sign-in", size="7", margin_bottom="1rem"),
        rx.cond(
            TwoFactorState.must_enrol,
            rx.callout(
                "Your server's administrators require a second factor: set one up to continue.",
                icon="shield",
                color_scheme="amber",
                id="must-enrol",
                width="100%",
            ),
        ),
        error_callout(TwoFactorState.error),
        rx.cond(
            TwoFactorState.notice != "",
            rx.callout(TwoFactorState.notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
        _codes(),
        rx.heading("Authenticator app", size="4", margin_top="1rem"),
        rx.cond(TwoFactorState.enrolled, _manage(), _enrol()),
        _passkeys(),
        rx.cond(
            ~TwoFactorState.must_enrol,
            rx.link("Back to your account", href=routes.ACCOUNT, margin_top="1.5rem", display="block"),
        ),
        wide=True,
    )
