"""The admin area: users, rooms, messages and the audit log, in tabs. Anyone but an admin sees "Page not found"."""

import reflex as rx

from djangochat_rx import routes, settings
from djangochat_rx.components.api_tokens import api_tokens_panel
from djangochat_rx.components.confirm import confirmed_button
from djangochat_rx.components.files import FileDrop
from djangochat_rx.components.layout import error_callout, labeled_input, page, shown_once
from djangochat_rx.components.marks import guest_mark
from djangochat_rx.domain import custom_emoji, second_factor, signup, user_groups
from djangochat_rx.domain.admin import AdminMessageView, AdminRoomView, AdminUserView, AuditView
from djangochat_rx.domain.signup import InviteView
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.export import ExportState

TIME = "YYYY-MM-DD HH:mm"


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Page not found", size="7"),
        rx.text("There is no page at this address."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
    )


def _table(headers: list[str], rows: rx.Component, **props) -> rx.Component:
    """A table that scrolls sideways on a narrow screen instead of widening the page; its last column, of
    buttons, is named for screen readers only."""
    cells = [rx.table.column_header_cell(header or rx.el.span("Actions", class_name="sr-only")) for header in headers]
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*cells)),
            rx.table.body(rows),
            size="1",
            width="100%",
            **props,
        ),
        overflow_x="auto",
        width="100%",
    )


def _filter_form(*fields: rx.Component, on_submit: rx.event.EventType, button: str) -> rx.Component:
    return rx.form(
        rx.hstack(*fields, rx.button(button, type="submit"), align="end", width="100%", wrap="wrap"),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def _pager(*buttons: rx.Component) -> rx.Component:
    return rx.hstack(*buttons, spacing="2", justify="end", width="100%")


def _user_row(user: rx.Var[AdminUserView]) -> rx.Component:
    name = user["username"]
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(name, weight="medium"),
            rx.cond(user["display_name"] != "", rx.text(user["display_name"], size="1", color=rx.color("gray", 11))),
        ),
        rx.table.cell(rx.moment(user["created_at"], format=TIME)),
        rx.table.cell(user["message_count"]),
        rx.table.cell(
            rx.hstack(
                rx.cond(user["is_admin"], rx.badge("admin", color_scheme="purple")),
                rx.cond(user["is_bot"], rx.badge("bot", color_scheme="gray", variant="soft")),
                rx.cond(
                    user["is_guest"],
                    rx.hstack(
                        guest_mark(),
                        rx.cond(
                            user["guest_until"] != "",
                            rx.text("until ", rx.moment(user["guest_until"], format=TIME), size="1"),
                        ),
                        spacing="1",
                        align="center",
                    ),
                ),
                rx.cond(
                    user["two_factor"],
                    rx.badge("2FA", color_scheme="blue", variant="soft", title="Two-factor sign-in on"),
                ),
                rx.cond(user["sso"] != "", rx.badge("SSO: " + user["sso"], color_scheme="cyan", variant="soft")),
                rx.cond(
                    user["is_active"],
                    rx.badge("active", color_scheme="green"),
                    rx.badge("disabled", color_scheme="red", class_name="disabled-mark"),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.cond(
                user["is_active"],
                confirmed_button(
                    "Disable",
                    "Disable " + name + "?",
                    "They are logged out everywhere at once and cannot log in until re-enabled.",
                    AdminState.disable_user(user["id"]),
                    aria_label="Disable " + name,
                ),
                rx.button(
                    "Re-enable",
                    size="1",
                    variant="soft",
                    on_click=AdminState.enable_user(user["id"]),
                    aria_label="Re-enable " + name,
                ),
            ),
            rx.cond(
                user["is_guest"],
                rx.button(
                    "Make member",
                    size="1",
                    variant="soft",
                    on_click=AdminState.make_member(user["id"]),
                    aria_label="Make " + name + " a full member",
                    margin_left="0.5rem",
                ),
            ),
            rx.button(
                "Reset link",
                size="1",
                variant="soft",
                on_click=AdminState.reset_link(user["id"]),
                aria_label="Password-reset link for " + name,
                margin_left="0.5rem",
            ),
            rx.cond(
                user["two_factor"],
                rx.box(
                    confirmed_button(
                        "Reset 2FA",
                        "Reset " + name + "'s two-factor sign-in?",
                        "Their authenticator app and recovery codes stop working: their password alone signs them in "
                        "(until they set up a new app). Do this only when you know it is them asking.",
                        AdminState.reset_second_factor(user["id"]),
                        aria_label="Reset two-factor sign-in of " + name,
                    ),
                    display="inline-block",
                    margin_left="0.5rem",
                ),
            ),
        ),
        key=user["id"],
        data_user=name,
    )


def _users() -> rx.Component:
    return rx.vstack(
        _filter_form(
            rx.box(labeled_input("Search users", "query", placeholder="Part of a username"), flex="1"),
            on_submit=AdminState.search_users,
            button="Search",
        ),
        _table(
            ["User", "Joined", "Messages", "Status", ""],
            rx.foreach(AdminState.users, _user_row),
            id="admin-users",
        ),
        rx.cond(AdminState.users.length() == 0, rx.text("No users match.", color=rx.color("gray", 11))),
        _pager(
            rx.button(
                "Previous",
                size="1",
                variant="soft",
                disabled=AdminState.user_offset == 0,
                on_click=AdminState.users_page(AdminState.user_offset - AdminState.users.length()),
            ),
            rx.button(
                "Next",
                size="1",
                variant="soft",
                disabled=~AdminState.more_users,
                on_click=AdminState.users_page(AdminState.user_offset + AdminState.users.length()),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _room_actions(room: rx.Var[AdminRoomView]) -> rx.Component:
    name = room["name"]
    return rx.hstack(
        rx.cond(
            room["archived"],
            rx.button(
                "Reopen",
                size="1",
                variant="soft",
                on_click=AdminState.archive_room(room["id"], False),
                aria_label="Reopen " + name,
            ),
            rx.button(
                "Archive",
                size="1",
                variant="soft",
                on_click=AdminState.archive_room(room["id"], True),
                aria_label="Archive " + name,
            ),
        ),
        rx.button(
            "Export JSON",
            size="1",
            variant="soft",
            on_click=ExportState.download_room(room["id"]),
            aria_label="Export " + name + " as JSON",
        ),
        confirmed_button(
            "Delete",
            "Delete " + name + "?",
            "The room and every message in it are deleted for good.",
            AdminState.delete_room(room["id"]),
            aria_label="Delete " + name,
        ),
        spacing="2",
    )


def _room_row(room: rx.Var[AdminRoomView]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(room["name"], href="/rooms/" + room["slug"]),
            rx.text(room["slug"], size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(room["kind"]),
        rx.table.cell(room["message_count"]),
        rx.table.cell(rx.moment(room["created_at"], format=TIME)),
        rx.table.cell(
            rx.cond(
                room["archived"],
                rx.badge("archived", color_scheme="amber", class_name="archived-mark"),
                rx.badge("open", color_scheme="green"),
            )
        ),
        rx.table.cell(_room_actions(room)),
        key=room["id"],
        data_room=room["slug"],
    )


def _rooms() -> rx.Component:
    return rx.vstack(
        error_callout(ExportState.export_error),
        _table(
            ["Room", "Kind", "Messages", "Created", "Status", ""],
            rx.foreach(AdminState.rooms, _room_row),
            id="admin-rooms",
        ),
        rx.cond(AdminState.rooms.length() == 0, rx.text("No rooms yet.", color=rx.color("gray", 11))),
        _retention(),
        spacing="3",
        width="100%",
    )


def _retention() -> rx.Component:
    """The instance's retention policy: messages older than N days are deleted (rooms may have their own)."""
    return rx.vstack(
        rx.heading("Retention", size="4", margin_top="1rem"),
        _filter_form(
            rx.box(
                labeled_input(
                    "Delete messages after (days; 0: keep them)",
                    "days",
                    type="number",
                    min="0",
                    default_value=AdminState.retention_days.to_string(),
                ),
                flex="2",
            ),
            rx.el.label(
                rx.checkbox(name="keep_pinned", id="keep-pinned", default_checked=AdminState.retention_keep_pinned),
                " Keep pinned messages",
                html_for="keep-pinned",
                display="flex",
                gap="0.5rem",
                align_items="center",
            ),
            on_submit=AdminState.save_retention,
            button="Save retention",
        ),
        rx.text(
            "Older messages go with their files, reactions and thread replies (a thread when its last reply is "
            "old enough), checked every hour and audited. A room's owner may only shorten it for their room.",
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="2",
        width="100%",
        id="retention",
        key=AdminState.retention_days.to_string() + AdminState.retention_keep_pinned.to_string(),
    )


def _message_row(message: rx.Var[AdminMessageView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(message["created_at"], format=TIME)),
        rx.table.cell(rx.link(message["room_name"], href="/rooms/" + message["room_slug"])),
        rx.table.cell(message["author"]),
        rx.table.cell(
            rx.cond(
                message["removed"],
                rx.text("removed by a moderator", color=rx.color("gray", 11)),
                rx.cond(
                    message["deleted"],
                    rx.text("message deleted", color=rx.color("gray", 11)),
                    rx.text(message["text"], overflow_wrap="anywhere"),
                ),
            ),
        ),
        rx.table.cell(
            rx.cond(
                ~message["deleted"],
                confirmed_button(
                    "Remove",
                    "Remove this message by " + message["author"] + "?",
                    "Everyone sees “removed by a moderator” in its place. This cannot be undone.",
                    AdminState.remove_message(message["id"]),
                    aria_label="Remove message " + message["id"].to_string(),
                ),
            )
        ),
        key=message["id"],
        data_message_id=message["id"],
    )


def _messages() -> rx.Component:
    return rx.vstack(
        _filter_form(
            rx.box(labeled_input("Room slug", "room", placeholder="general"), flex="1"),
            rx.box(labeled_input("Author", "author", placeholder="username"), flex="1"),
            on_submit=AdminState.filter_messages,
            button="Filter",
        ),
        _table(
            ["Sent", "Room", "Author", "Message", ""],
            rx.foreach(AdminState.recent, _message_row),
            id="admin-messages",
        ),
        rx.cond(AdminState.recent.length() == 0, rx.text("No messages match.", color=rx.color("gray", 11))),
        _pager(
            rx.button(
                "Newest",
                size="1",
                variant="soft",
                disabled=AdminState.message_before == 0,
                on_click=AdminState.messages_page(0),
            ),
            rx.button(
                "Older",
                size="1",
                variant="soft",
                disabled=~AdminState.more_messages,
                on_click=AdminState.messages_page(AdminState.recent[-1]["id"]),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _audit_row(entry: rx.Var[AuditView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(entry["created_at"], format=TIME)),
        rx.table.cell(entry["actor"]),
        rx.table.cell(rx.code(entry["action"])),
        rx.table.cell(entry["target"]),
        rx.table.cell(entry["detail"]),
    )


def _audit() -> rx.Component:
    return rx.vstack(
        _table(["When", "Admin", "Action", "Target", "Detail"], rx.foreach(AdminState.audit, _audit_row), id="audit"),
        rx.cond(AdminState.audit.length() == 0, rx.text("No admin actions yet.", color=rx.color("gray", 11))),
        width="100%",
    )


def _invite_row(invite: rx.Var[InviteView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(invite["created_at"], format=TIME)),
        rx.table.cell(invite["created_by"]),
        rx.table.cell(
            invite["note"],
            rx.cond(
                invite["guest_rooms"] != "",
                rx.text(
                    "Guests in " + invite["guest_rooms"],
                    rx.cond(invite["guest_days"] > 0, " for " + invite["guest_days"].to_string() + " days", ""),
                    size="1",
                    color=rx.color("gray", 11),
                ),
            ),
        ),
        rx.table.cell(invite["uses"].to_string() + " of " + invite["max_uses"].to_string()),
        rx.table.cell(rx.moment(invite["expires_at"], format=TIME)),
        rx.table.cell(
            rx.cond(
                invite["status"] == "active",
                rx.badge("active", color_scheme="green"),
                rx.badge(invite["status"], color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                invite["status"] == "active",
                rx.button(
                    "Revoke",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminState.revoke_invite(invite["id"]),
                    aria_label="Revoke invite " + invite["id"].to_string(),
                ),
            )
        ),
        key=invite["id"],
        data_invite=invite["id"],
    )


def _new_link() -> rx.Component:
    """A link just made, shown once, with a button that copies it."""
    return rx.cond(
        AdminState.new_link != "",
        rx.card(shown_once(AdminState.new_link_label, AdminState.new_link, "new-link"), width="100%"),
    )


def _signup() -> rx.Component:
    return rx.vstack(
        rx.el.label("Who may create an account", html_for="signup-mode", font_weight="500"),
        rx.select.root(
            rx.select.trigger(id="signup-mode", aria_label="Who may create an account"),
            rx.select.content(*[rx.select.item(label, value=mode) for mode, label in signup.MODE_LABELS.items()]),
            value=AdminState.signup_mode,
            on_change=AdminState.choose_signup_mode,
        ),
        rx.text(
            "Invite links work while sign-up is open or invite-only; closed sign-up refuses them too.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            AdminState.email_enabled,
            _filter_form(
                rx.box(
                    labeled_input(
                        "Open sign-up only for addresses at",
                        "domain",
                        placeholder="example.com (empty: anyone)",
                        default_value=AdminState.signup_domain,
                        key=AdminState.signup_domain,
                    ),
                    flex="1",
                ),
                on_submit=AdminState.choose_signup_domain,
                button="Save domain",
            ),
            rx.text(
                "With email set up (SMTP_URL), open sign-up can be limited to addresses at one domain.",
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        rx.cond(
            AdminState.sso_configured,
            rx.text(
                rx.el.label(
                    rx.switch(
                        checked=AdminState.password_sign_in,
                        on_change=AdminState.choose_password_sign_in,
                        id="password-sign-in",
                    ),
                    " Passwords sign in (off: only the single sign-on providers do; "
                    "python -m djangochat_rx password-sign-in on brings them back)",
                    display="flex",
                    gap="0.5rem",
                    align_items="center",
                ),
                size="2",
                margin_top="1rem",
            ),
        ),
        rx.text(
            rx.el.label(
                rx.switch(
                    checked=AdminState.read_receipts_on,
                    on_change=AdminState.choose_read_receipts,
                    id="read-receipts-switch",
                ),
                ' Read receipts ("Seen by" in conversations and small rooms, for those who share theirs)',
                display="flex",
                gap="0.5rem",
                align_items="center",
            ),
            size="2",
            margin_top="1rem",
        ),
        rx.el.label("Two-factor sign-in", html_for="second-factor-rule", font_weight="500", margin_top="1rem"),
        rx.select.root(
            rx.select.trigger(id="second-factor-rule", aria_label="Two-factor sign-in"),
            rx.select.content(
                *[rx.select.item(label, value=rule) for rule, label in second_factor.REQUIREMENT_LABELS.items()]
            ),
            value=AdminState.second_factor_rule,
            on_change=AdminState.choose_second_factor,
        ),
        rx.text(
            "People who must have a second factor and have none are sent to set one up when they sign in.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.el.label("User groups are managed by", html_for="group-managers", font_weight="500", margin_top="1rem"),
        rx.select.root(
            rx.select.trigger(id="group-managers", aria_label="User groups are managed by"),
            rx.select.content(*[rx.select.item(label, value=mode) for mode, label in user_groups.MANAGERS.items()]),
            value=AdminState.group_managers,
            on_change=AdminState.choose_group_managers,
        ),
        rx.text(
            "Members: anyone but a guest creates a group, and each group's members change it. "
            "Administrators always may; guests never do.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.el.label("Who may add custom emoji", html_for="emoji-adders", font_weight="500", margin_top="1rem"),
        rx.select.root(
            rx.select.trigger(id="emoji-adders", aria_label="Who may add custom emoji"),
            rx.select.content(
                *[rx.select.item(label, value=adders) for adders, label in custom_emoji.ADDERS_LABELS.items()]
            ),
            value=AdminState.emoji_adders,
            on_change=AdminState.choose_emoji_adders,
        ),
        rx.text(
            "Members are everyone but guests and bots; administrators always may, and remove any. "
            "This overrides the server's CUSTOM_EMOJI_ADDERS.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.heading("Invite links", size="4", margin_top="1rem"),
        _filter_form(
            rx.box(labeled_input("Note (who it is for)", "note", placeholder="design team"), flex="2"),
            rx.box(labeled_input("Accounts", "uses", type="number", default_value="10", min="1"), flex="1"),
            rx.box(labeled_input("Days valid", "days", type="number", default_value="7", min="1"), flex="1"),
            rx.box(
                labeled_input("Guests in rooms (empty: members)", "guest_rooms", placeholder="design, launch-plan"),
                flex="2",
            ),
            rx.box(
                labeled_input("Guests stay (days, 0: no end)", "guest_days", type="number", default_value="0", min="0"),
                flex="1",
            ),
            on_submit=AdminState.create_invite,
            button="Create invite link",
        ),
        rx.text(
            "A guest invite names rooms (by name, or a private room's address): its accounts see only those rooms "
            "and the people in them, and are disabled after their days.",
            size="1",
            color=rx.color("gray", 11),
        ),
        _table(
            ["Created", "By", "Note", "Used", "Expires", "Status", ""],
            rx.foreach(AdminState.invites, _invite_row),
            id="admin-invites",
        ),
        rx.cond(AdminState.invites.length() == 0, rx.text("No invite links yet.", color=rx.color("gray", 11))),
        rx.heading("Create an account", size="4", margin_top="1rem"),
        _filter_form(
            rx.box(labeled_input("Username", "username", placeholder="new.colleague"), flex="1"),
            on_submit=AdminState.create_account,
            button="Create account",
        ),
        rx.text("You get a one-time link for its owner to choose a password.", size="1", color=rx.color("gray", 11)),
        spacing="3",
        width="100%",
    )


def _import_run() -> rx.Component:
    """The latest import: its file, a progress bar while it runs, then what it imported and its report."""
    return rx.cond(
        AdminState.import_id != 0,
        rx.vstack(
            rx.hstack(
                rx.text(AdminState.import_file, weight="medium"),
                rx.badge(
                    rx.match(
                        AdminState.import_status,
                        ("running", "importing…"),
                        ("done", "imported"),
                        ("failed", "refused"),
                        AdminState.import_status,
                    ),
                    color_scheme=rx.match(AdminState.import_status, ("done", "green"), ("failed", "red"), "blue"),
                ),
                align="center",
                spacing="2",
            ),
            rx.cond(
                AdminState.import_status == "running",
                rx.progress(value=AdminState.import_percent, max=100, width="100%", aria_label="Import progress"),
            ),
            rx.el.ul(rx.foreach(AdminState.import_counts, lambda line: rx.el.li(line)), id="import-counts"),
            rx.cond(
                AdminState.import_report.length() > 0,
                rx.vstack(
                    rx.text("Report", weight="medium"),
                    rx.el.ul(rx.foreach(AdminState.import_report, lambda line: rx.el.li(line)), id="import-report"),
                    spacing="1",
                ),
            ),
            spacing="2",
            width="100%",
            id="import-run",
        ),
    )


def _import() -> rx.Component:
    """Moving in: a Slack export uploaded here is imported, its progress and report shown as it goes."""
    return rx.vstack(
        rx.heading("Import from Slack", size="4"),
        rx.text(
            "Upload the zip of a Slack export (in Slack: Workspace settings → Import/Export data → Export). Its people "
            "are matched to accounts by email address; the others get accounts without a password that they claim "
            "with “Forgot password” or single sign-on at that address. Channels become rooms, private channels "
            "private rooms, direct messages conversations, with their history, threads, reactions, pins and files. "
            "Uploading the same export again adds only what is new. A larger export: “import-slack” on the server.",
            size="2",
        ),
        FileDrop.create(
            rx.icon("upload", size=16, aria_hidden="true"),
            rx.el.span("Choose a Slack export (.zip)"),
            upload_url=AdminState.import_url,
            ticket=AuthState.upload_ticket,
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_files=1,
            max_at_once=1,
            pending=0,
            drop_target="import",
            paste_target="",
            input_label="Choose a Slack export (.zip)",
            on_uploaded=AdminState.import_started,
            on_refused=AdminState.import_refused,
            class_name="import-drop",
        ),
        _import_run(),
        spacing="3",
        width="100%",
        id="import",
    )


def _area() -> rx.Component:
    sections = [
        ("users", "Users", _users),
        ("rooms", "Rooms", _rooms),
        ("messages", "Messages", _messages),
        ("signup", "Sign-up", _signup),
        ("tokens", "API tokens", lambda: api_tokens_panel(everyone=True)),
        ("import", "Import", _import),
        ("audit", "Audit log", _audit),
    ]
    return rx.vstack(
        rx.heading("Admin", size="7"),
        error_callout(AdminState.error),
        rx.cond(
            AdminState.notice != "",
            rx.callout(AdminState.notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
        _new_link(),
        rx.tabs.root(
            rx.tabs.list(*[rx.tabs.trigger(label, value=value) for value, label, _ in sections]),
            *[rx.tabs.content(body(), value=value, padding_top="1rem") for value, _, body in sections],
            default_value="users",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def admin() -> rx.Component:
    return page(
        rx.match(
            AdminState.status,
            ("denied", _not_found()),
            ("ready", _area()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
        wide=True,
    )
