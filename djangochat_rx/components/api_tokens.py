"""The API tokens panel: one's own on the account page; every account's, and tokens for another account or a
new bot account, in the admin area (state/api_tokens.py)."""

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.layout import current_password_input, error_callout, shown_once
from djangochat_rx.domain.api_tokens import TokenView
from djangochat_rx.state.api_tokens import PASSWORD_FIELD, ApiTokensState

_DAYS = [7, 30, 90, 365]


def _check(name: str, label: str, checked: bool = False) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name=name, default_checked=checked),
        label,
        display="flex",
        gap="0.4rem",
        align_items="center",
        font_size="var(--font-size-2)",
    )


def _row(token: rx.Var[TokenView], everyone: bool) -> rx.Component:
    status = rx.cond(
        token["revoked"], rx.badge("revoked", color_scheme="gray"), rx.cond(token["expired"], rx.badge("expired"), "")
    )
    return rx.table.row(
        rx.table.cell(token["name"]),
        *([rx.table.cell(token["username"])] if everyone else []),
        rx.table.cell(token["scopes"].join(", ")),
        rx.table.cell(rx.moment(token["expires_at"], format="YYYY-MM-DD")),
        rx.table.cell(rx.cond(token["last_used_at"] != "", rx.moment(token["last_used_at"], from_now=True), "never")),
        rx.table.cell(
            status,
            rx.cond(
                token["revoked"] | token["expired"],
                "",
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=ApiTokensState.revoke_token(token["id"]),
                    aria_label="Revoke token " + token["name"],
                ),
            ),
        ),
        key=token["id"],
        class_name="api-token",
    )


def api_tokens_panel(everyone: bool = False) -> rx.Component:
    """Make, list and revoke API tokens; `everyone` for the admin area."""
    headers = ["Name", *(["Account"] if everyone else []), "Scopes", "Expires", "Last used"]
    return rx.vstack(
        rx.heading("API tokens", size="4", margin_top="2rem"),
        rx.text(
            "A token lets a script or bot use the REST API (",
            # On the backend's origin: in development the pages come from another port.
            rx.link("/api/v1/docs", href=ApiTokensState.api_base + "/api/v1/docs", is_external=True),
            ") as ",
            "an account" if everyone else "you",
            ", with what its scopes allow. Making one asks for your current password. A password change, a reset "
            'link and "Log out everywhere" revoke the account\'s tokens: make again those a script still needs.',
            size="2",
        ),
        rx.form(
            rx.flex(
                rx.input(name="name", placeholder="Name, e.g. deploy script", aria_label="Token name", max_length=64),
                *(
                    [
                        rx.input(name="for_username", placeholder="Account (empty: yours)", aria_label="For account"),
                        _check("new_bot", "as a new bot account"),
                    ]
                    if everyone
                    else []
                ),
                _check("scope_read", "read", True),
                _check("scope_post", "post"),
                rx.el.select(
                    *[rx.el.option(f"{days} days", value=str(days)) for days in _DAYS],
                    name="days",
                    default_value=str(settings.API_TOKEN_DAYS),
                    aria_label="Expires after",
                ),
                current_password_input(PASSWORD_FIELD),
                rx.button("Create token", type="submit", size="2"),
                gap="0.75rem",
                align="center",
                wrap="wrap",
            ),
            on_submit=ApiTokensState.create_token,
            reset_on_submit=False,
            width="100%",
        ),
        shown_once("The new token", ApiTokensState.new_token, "new-api-token"),
        error_callout(ApiTokensState.token_error),
        rx.cond(
            ApiTokensState.tokens.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in headers],
                        rx.table.column_header_cell(rx.el.span("Status", class_name="sr-only")),
                    )
                ),
                rx.table.body(rx.foreach(ApiTokensState.tokens, lambda token: _row(token, everyone))),
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        on_mount=ApiTokensState.load_tokens(everyone),
        id="api-tokens",
    )
