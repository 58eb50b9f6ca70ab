"""The account page: change password, the list of active sessions, and a download of one's messages."""

import reflex as rx

from djangochat_rx import routes
from djangochat_rx.components.api_tokens import api_tokens_panel
from djangochat_rx.components.availability import availability_settings
from djangochat_rx.components.custom_emoji import emoji_section
from djangochat_rx.components.layout import current_password_input, error_callout, inline_form, labeled_input, page
from djangochat_rx.components.push import push_settings
from djangochat_rx.notify import notices
from djangochat_rx.state.account import EMAIL_PASSWORD_FIELD, AccountState, SessionItem
from djangochat_rx.state.export import ExportState


def _session_row(session: rx.Var[SessionItem]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(session["user_agent"], size="2", overflow_wrap="anywhere")),
        rx.table.cell(rx.moment(session["created_at"], format="MMM D, HH:mm")),
        rx.table.cell(rx.text(session["how"], size="2")),
        rx.table.cell(rx.moment(session["last_seen_at"], from_now=True)),
        rx.table.cell(rx.cond(session["current"], rx.badge("this browser"), "")),
        key=session["id"],
    )


_CHOICES = {
    "mentions": "Email me about unread mentions and direct messages",
    "digest": "Send me a daily digest of them instead",
    "off": "No emails about messages",
}


def _notices() -> rx.Component:
    """Which emails about what was missed, and after how long unread."""
    return rx.form(
        rx.vstack(
            rx.radio_group.root(
                rx.vstack(
                    *[
                        rx.text(
                            rx.radio_group.item(value=value), label, as_="label", size="2", display="flex", gap="0.5rem"
                        )
                        for value, label in _CHOICES.items()
                    ],
                    spacing="1",
                ),
                name="notices_choice",
                value=AccountState.notices_choice,
                on_change=AccountState.pick_notices,
            ),
            rx.hstack(
                rx.el.label("after", html_for="notices-delay", size="2"),
                rx.el.select(
                    *[rx.el.option(f"{minutes} minutes", value=str(minutes)) for minutes in notices.DELAYS],
                    id="notices-delay",
                    name="notices_delay",
                    value=AccountState.notices_delay,
                    on_change=AccountState.pick_delay,
                ),
                rx.text("unread, never while you are using the app.", size="2"),
                align="center",
                wrap="wrap",
            ),
            rx.button("Save email preferences", type="submit", size="2", variant="soft"),
            spacing="2",
        ),
        on_submit=AccountState.save_notices,
        reset_on_submit=False,
        id="email-notices",
    )


def _read_receipts() -> rx.Component:
    """Whether others see when this person has read their messages (read receipts, off until turned on)."""
    return rx.box(
        rx.heading("Read receipts", size="4", margin_top="2rem", margin_bottom="0.5rem"),
        rx.text(
            rx.el.label(
                rx.switch(
                    checked=AccountState.share_read_receipts,
                    on_change=AccountState.share_receipts,
                    id="share-read-receipts",
                ),
                " Let others see when I have read their messages",
                display="flex",
                gap="0.5rem",
                align_items="center",
            ),
            size="2",
        ),
        rx.text(
            rx.cond(
                AccountState.read_receipts_here,
                'In direct conversations and small rooms, their messages then show "Seen by" with your name. '
                "You see who has read yours either way.",
                "The administrators have turned read receipts off here: nobody's are shown.",
            ),
            size="1",
            color=rx.color("gray", 11),
        ),
        id="read-receipts",
    )


def _email() -> rx.Component:
    """The verified address (for "Forgot password"), and a form to add or change it (the current password asked:
    a stolen session must not point password resets at its own mailbox)."""
    return rx.vstack(
        rx.heading("Email address", size="4", margin_top="2rem"),
        rx.cond(
            AccountState.email != "",
            rx.hstack(
                rx.text("Verified: ", rx.text.strong(AccountState.email), id="verified-email"),
                rx.button("Remove", on_click=AccountState.remove_email, size="1", variant="soft", color_scheme="red"),
                align="center",
                wrap="wrap",
            ),
            rx.text("None yet: add one to be able to reset a forgotten password by email.", size="2"),
        ),
        rx.cond(
            AccountState.email_enabled,
            inline_form(
                rx.flex(
                    rx.input(
                        id="email",
                        name="email",
                        type="email",
                        placeholder="name@example.com",
                        aria_label="New email address",
                        flex="2 1 14rem",
                    ),
                    current_password_input(EMAIL_PASSWORD_FIELD, flex="1 1 10rem"),
                    gap="0.5rem",
                    wrap="wrap",
                    width="100%",
                ),
                "Send check link",
                AccountState.add_email,
            ),
            rx.text("This server does not send email.", size="2", color=rx.color("gray", 11)),
        ),
        rx.cond(AccountState.email_enabled & (AccountState.email != ""), _notices()),
        error_callout(AccountState.email_error),
        rx.cond(
            AccountState.email_notice != "",
            rx.callout(AccountState.email_notice, icon="mail", color_scheme="green", role="status", width="100%"),
        ),
        spacing="2",
        width="100%",
    )


def _two_factor() -> rx.Component:
    """Whether signing in asks for a code, and the way to the page that changes it."""
    return rx.vstack(
        rx.heading("Two-factor sign-in and passkeys", size="4", margin_top="2rem"),
        rx.text(
            rx.cond(
                AccountState.two_factor_on,
                "Authenticator app: on. ",
                "Authenticator app: off. ",
            ),
            rx.cond(
                AccountState.passkey_count > 0,
                "Passkeys: " + AccountState.passkey_count.to_string() + ". ",
                "No passkeys. ",
            ),
            rx.link(
                rx.cond(AccountState.two_factor_on | (AccountState.passkey_count > 0), "Manage", "Set them up"),
                href=routes.TWO_FACTOR,
            ),
            size="2",
            id="two-factor-summary",
        ),
        spacing="2",
        width="100%",
    )


def _sso_links() -> rx.Component:
    """The single sign-on providers the account signs in with, each with Unlink; the others, each with Link."""
    return rx.cond(
        (AccountState.sso_links.length() > 0) | (AccountState.sso_unlinked.length() > 0),
        rx.vstack(
            rx.heading("Single sign-on", size="4", margin_top="2rem"),
            rx.foreach(
                AccountState.sso_links,
                lambda link: rx.hstack(
                    rx.text("Signs in with ", rx.text.strong(link.label), " (", link.email, ")", size="2"),
                    rx.button(
                        "Unlink",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=AccountState.unlink_provider(link.provider),
                        aria_label="Stop signing in with " + link.label,
                    ),
                    align="center",
                    wrap="wrap",
                ),
            ),
            rx.foreach(
                AccountState.sso_unlinked,
                lambda provider: rx.button(
                    "Link " + provider["label"],
                    size="1",
                    variant="soft",
                    on_click=AccountState.link_provider(provider["id"]),
                    aria_label="Sign in with " + provider["label"] + " too",
                ),
            ),
            rx.cond(
                AccountState.link_url != "",
                rx.button(
                    # A whole-page navigation to the backend (React Router would look for a page there).
                    rx.el.a(
                        "Continue to " + AccountState.link_label + " to link it",
                        href=AccountState.link_url,
                        custom_attrs={"reloadDocument": True},
                        id="continue-link",
                    ),
                    as_child=True,
                    size="1",
                ),
            ),
            rx.cond(
                AccountState.sso_notice != "",
                rx.callout(AccountState.sso_notice, icon="check", color_scheme="green", role="status", width="100%"),
            ),
            error_callout(AccountState.sso_error),
            spacing="2",
            width="100%",
            id="sso-links",
        ),
    )


def account() -> rx.Component:
    return page(
        rx.heading("Account", size="7", margin_bottom="1rem"),
        rx.heading("Change password", size="4", margin_bottom="0.5rem"),
        rx.form(
            rx.vstack(
                labeled_input(
                    "Current password", "current_password", type="password", auto_complete="current-password"
                ),
                labeled_input("New password", "new_password", type="password", auto_complete="new-password"),
                labeled_input(
                    "Confirm new password", "confirm_new_password", type="password", auto_complete="new-password"
                ),
                error_callout(AccountState.error),
                rx.cond(
                    AccountState.notice != "",
                    rx.callout(AccountState.notice, icon="check", color_scheme="green", role="status", width="100%"),
                ),
                rx.button("Change password", type="submit", loading=AccountState.pending),
                spacing="3",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=False,
        ),
        _two_factor(),
        _sso_links(),
        _email(),
        availability_settings(),
        _read_receipts(),
        push_settings(),
        rx.heading("Active sessions", size="4", margin_top="2rem", margin_bottom="0.5rem"),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Browser"),
                    rx.table.column_header_cell("Logged in"),
                    rx.table.column_header_cell("Signed in with"),
                    rx.table.column_header_cell("Last active"),
                    rx.table.column_header_cell(rx.el.span("This browser", class_name="sr-only")),
                )
            ),
            rx.table.body(rx.foreach(AccountState.sessions, _session_row)),
            width="100%",
            id="sessions",
        ),
        rx.button(
            "Log out everywhere",
            on_click=AccountState.log_out_everywhere,
            color_scheme="red",
            variant="soft",
            margin_top="1rem",
        ),
        api_tokens_panel(),
        emoji_section(),
        rx.heading("Your messages", size="4", margin_top="2rem", margin_bottom="0.5rem"),
        rx.text("Every message you wrote, in the rooms you can still read, as one JSON file.", size="2"),
        error_callout(ExportState.export_error),
        rx.button(
            "Download my messages (JSON)", on_click=ExportState.download_mine, variant="soft", margin_top="0.5rem"
        ),
        wide=True,
    )
