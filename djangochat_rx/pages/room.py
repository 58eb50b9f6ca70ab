"""A room: its newest messages, live, and the message box; its members and the owner's settings.
Unknown rooms, and rooms the user may not see, get the same friendly page."""

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from djangochat_rx import routes, settings
from djangochat_rx.components import room_feed
from djangochat_rx.components.avatar import avatar
from djangochat_rx.components.code_copy import code_copy
from djangochat_rx.components.composer import Draft, Picker
from djangochat_rx.components.confirm import confirmed_button
from djangochat_rx.components.edit_history import edit_history_dialog
from djangochat_rx.components.files import COMPOSER_FORM_ID, attach_control, files_panel, pending_files
from djangochat_rx.components.forward import forward_form, selection_bar
from djangochat_rx.components.keys import Keys
from djangochat_rx.components.later import later_said, remind_dialog, send_later_control
from djangochat_rx.components.layout import error_callout, inline_form, labeled_input, page, shown_once
from djangochat_rx.components.marks import guest_mark
from djangochat_rx.components.message import EDIT_BOX_ID, list_props, room_block
from djangochat_rx.components.message_toolbar import message_toolbar
from djangochat_rx.components.notices import NotifyOffer
from djangochat_rx.components.poll import poll_button, poll_form
from djangochat_rx.components.quiet_notice import QuietNotice
from djangochat_rx.components.room_log import LOADER, RoomLog
from djangochat_rx.components.thread import thread_panel
from djangochat_rx.domain import access
from djangochat_rx.domain.members import MemberView
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.domain.pins import PinView
from djangochat_rx.domain.webhooks import WebhookView
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.room_composer import COMPOSER_ID
from djangochat_rx.state.webhooks import WebhooksState


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("Room not found", size="7"),
        rx.text("There is no room at this address, or you are not one of its members."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
    )


def _typing_line() -> rx.Component:
    """ "alice is typing…", "alice and bob are typing…", "Several people are typing…" (never yourself)."""
    names, me = RoomState.typing, AuthState.username
    others = names.length() - rx.cond(names.contains(me), 1, 0)
    first = rx.cond(names[0] == me, names[1], names[0])
    second = rx.cond((names[0] == me) | (names[1] == me), names[2], names[1])
    label = rx.match(
        others,
        (0, ""),
        (1, first.to(str) + " is typing…"),
        (2, first.to(str) + " and " + second.to(str) + " are typing…"),
        "Several people are typing…",
    )
    return rx.text(label, id="typing", size="1", color=rx.color("gray", 11), min_height="1.2em", aria_live="polite")


_COUNTER_ID = "message-counter"


def _composer() -> rx.Component:
    return rx.form(
        pending_files(),
        rx.hstack(
            attach_control(),
            poll_button(),
            rx.text_area(
                id=COMPOSER_ID,
                name="message",
                placeholder="Write a message (@ mention, / command)",
                aria_label="Message",
                enter_key_submit=True,
                auto_height=True,
                rows="1",
                max_length=settings.MESSAGE_MAX_CHARS * 2,
                on_change=RoomState.typing_now.throttle(settings.TYPING_NOTICE_MS),
                width="100%",
            ),
            rx.el.input(type="hidden", name="client_id", value=RoomState.draft_id),
            Picker.create(
                box=COMPOSER_ID,
                names=RoomState.mention_names,
                commands=RoomState.command_list,
                on_want_names=RoomState.load_mention_names,
                on_want_commands=RoomState.load_commands,
            ),
            Draft.create(box=COMPOSER_ID, counter=_COUNTER_ID, limit=settings.MESSAGE_MAX_CHARS),
            rx.button("Send", type="submit"),
            send_later_control(),
            align="end",
            width="100%",
        ),
        QuietNotice.create(
            box=COMPOSER_ID,
            people=RoomState.quiet_people,
            direct=RoomState.room_kind == access.DM,
            scheduling=~RoomState.archived,
            on_want=RoomState.load_quiet_people,
            on_schedule=RoomState.send_later,
            on_urgent=RoomState.send_urgent,
            key=RoomState.feed_room,
        ),
        rx.text("", id=_COUNTER_ID, size="1", aria_live="polite"),
        later_said(),
        error_callout(RoomState.error),
        on_submit=RoomState.send,
        reset_on_submit=False,
        width="100%",
        id=COMPOSER_FORM_ID,
        class_name="composer",
    )


def _block(block: rx.Var[list[MessageView]]) -> rx.Component:
    """A block of the history (components/message.py room_block), keyed by its first message."""
    return room_block(
        block=block,
        **list_props()._asdict(),
        gap_after=room_feed.gap_after,
        gap_before=room_feed.gap_before,
        key=block[0].to(MessageView)["id"],
    )


def _history() -> rx.Component:
    """The messages the browser holds (room_feed), with buttons to load earlier ones and fill any gap."""
    shown = room_feed.messages
    first = shown[0].to(MessageView)
    return rx.box(
        rx.cond(
            (shown.length() > 0) & (first["seq"] > RoomState.purged_seq + 1),
            rx.button(
                "Load earlier messages",
                id="load-older",
                custom_attrs={LOADER: "older"},
                on_click=RoomState.load_older(first["id"]),
                variant="ghost",
                size="1",
                width="100%",
            ),
        ),
        rx.cond(shown.length() == 0, rx.text("No messages yet. Say hello!", color=rx.color("gray", 11))),
        rx.foreach(room_feed.blocks, _block),
        id="messages",
        role="log",
        aria_label="Chat history",
        aria_live="polite",
        tab_index=0,
        class_name="messages",
    )


_LEVELS = {"all": "All new messages", "mentions": "Mentions only", "nothing": "Nothing"}


def _notifications_menu() -> rx.Component:
    """How this user hears of the room: every message, mentions only or nothing, and mute; first, while this
    browser has not been asked, the offer of browser notifications for mentions (NotifyOffer)."""
    label = rx.match(RoomState.notify_level, *_LEVELS.items(), "Mentions only")
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.cond(RoomState.muted, rx.icon("bell-off", size=14), rx.icon("bell", size=14)),
                # On a phone the bell alone (its accessible name still says which level).
                rx.el.span(rx.cond(RoomState.muted, "Muted", label), class_name="notify-label"),
                variant="ghost",
                size="1",
                id="room-notifications",
                aria_label=rx.cond(
                    RoomState.muted,
                    "Notifications: muted",
                    rx.match(
                        RoomState.notify_level,
                        *[(level, f"Notifications: {text}") for level, text in _LEVELS.items()],
                        "Notifications",
                    ),
                ),
            )
        ),
        rx.menu.content(
            NotifyOffer.create(rx.icon("bell-ring", size=14), "Notify me of mentions", id="enable-notifications"),
            *[
                rx.menu.item(
                    rx.cond(RoomState.notify_level == level, rx.icon("check", size=14), rx.box(width="14px")),
                    text,
                    on_select=RoomState.set_level(level),
                )
                for level, text in _LEVELS.items()
            ],
            rx.menu.separator(),
            rx.menu.item(
                rx.cond(RoomState.muted, "Unmute room", "Mute room"),
                on_select=RoomState.toggle_mute,
            ),
            size="1",
        ),
    )


def _presence() -> rx.Component:
    """Who is in the room now (shown once the first presence update has arrived, in a line as tall as its faces
    meanwhile, chat.css `.room-presence`: the history below neither moves nor shrinks when it fills in)."""
    here = RoomState.present
    return rx.box(
        rx.cond(
            here.length() > 0,
            rx.hstack(
                rx.icon("users", size=14),
                rx.hstack(rx.foreach(here, lambda name: avatar(name)), spacing="0", class_name="present-faces"),
                rx.text(here.length().to_string() + " here: " + here.join(", "), size="1", class_name="present-names"),
                id="present",
                align="center",
                spacing="1",
                color=rx.color("gray", 11),
            ),
        ),
        class_name="room-presence",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this message?"),
            rx.alert_dialog.description("Others will see “message deleted”. This cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", on_click=RoomState.cancel_delete)),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=RoomState.confirm_delete)),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
        open=RoomState.deleting_id != 0,
        on_open_change=lambda _open: RoomState.cancel_delete,
    )


def _kind_badge() -> rx.Component:
    return rx.fragment(
        rx.match(
            RoomState.room_kind,
            (access.PRIVATE, rx.badge(rx.icon("lock", size=12), "Private", variant="soft")),
            (access.DM, rx.badge(rx.icon("at-sign", size=12), "Direct", variant="soft")),
            rx.fragment(),
        ),
        rx.cond(RoomState.archived, rx.badge("Archived", color_scheme="gray", id="archived-badge")),
        rx.cond(
            RoomState.retention_days > 0,
            rx.badge(
                rx.icon("timer", size=12),
                RoomState.retention_days.to_string() + "-day history",
                variant="soft",
                color_scheme="gray",
                title="Messages older than " + RoomState.retention_days.to_string() + " days are deleted.",
                id="retention-badge",
            ),
        ),
    )


def _counted_panel_button(panel: str, icon: str, items: rx.Var[list], label: str) -> rx.Component:
    """A header button that opens `panel` and shows how many `items` it lists."""
    count = items.length().to_string()
    return rx.button(
        rx.icon(icon, size=14),
        count,
        id=f"{panel}-button",
        aria_label=f"{label}: " + count,
        title=label,
        variant=rx.cond(RoomState.panel == panel, "solid", "soft"),
        size="1",
        on_click=RoomState.toggle_panel(panel),
    )


def _room_buttons() -> rx.Component:
    """Members (private rooms and conversations) and Settings (the owner) toggle the panel."""
    return rx.hstack(
        rx.icon_button(
            rx.icon("search", size=14),
            id="search-room-button",
            aria_label="Search this room",
            title="Search this room",
            variant=rx.cond(RoomState.panel == "search", "solid", "soft"),
            size="1",
            on_click=RoomState.toggle_panel("search"),
        ),
        _counted_panel_button("pins", "pin", RoomState.pins, "Pinned messages"),
        rx.icon_button(
            rx.icon("paperclip", size=14),
            id="files-button",
            aria_label="Files in this room",
            title="Files",
            variant=rx.cond(RoomState.panel == "files", "solid", "soft"),
            size="1",
            on_click=RoomState.toggle_panel("files"),
        ),
        rx.cond(
            (RoomState.room_kind != access.PUBLIC) | (RoomState.members.length() > 0),  # a public room's: its guests
            _counted_panel_button("members", "users", RoomState.members, "Members"),
        ),
        rx.cond(
            RoomState.is_owner & (RoomState.room_kind != access.DM),
            rx.icon_button(
                rx.icon("settings", size=14),
                id="settings-button",
                aria_label="Room settings",
                title="Room settings",
                variant=rx.cond(RoomState.panel == "settings", "solid", "soft"),
                size="1",
                on_click=RoomState.toggle_panel("settings"),
            ),
        ),
        spacing="2",
    )


def _member_row(member: rx.Var[MemberView]) -> rx.Component:
    name = member["username"]
    return rx.hstack(
        avatar(name),
        rx.link(name, href="/users/" + name, weight="medium"),
        rx.cond(member["role"] == "owner", rx.badge("owner", variant="outline", size="1")),
        rx.cond(RoomState.bots.contains(name), rx.badge("bot", color_scheme="gray", variant="soft", size="1")),
        rx.cond(member["guest"], guest_mark()),
        rx.cond(
            member["quiet"],
            rx.tooltip(
                rx.icon("moon", size=14, aria_label="Not to be disturbed now", color=rx.color("gray", 11)),
                content="Not to be disturbed now: notified later",
            ),
        ),
        rx.cond(
            member["status"] != "", rx.text(member["status"], size="1", color=rx.color("gray", 11), class_name="status")
        ),
        rx.spacer(),
        rx.cond(
            name != AuthState.username,
            rx.hstack(
                rx.button(
                    "Message",
                    size="1",
                    variant="soft",
                    on_click=RoomState.message_user(name),
                    aria_label="Message " + name,
                ),
                rx.cond(
                    RoomState.is_owner,
                    rx.button(
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=RoomState.remove_member(name),
                        aria_label="Remove " + name,
                    ),
                ),
                spacing="2",
            ),
        ),
        width="100%",
        align="center",
        class_name="member",
        data_member=name,
    )


def _panel_messages() -> rx.Component:
    return rx.fragment(
        error_callout(RoomState.panel_error),
        rx.cond(
            RoomState.panel_notice != "",
            rx.callout(RoomState.panel_notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
    )


def _pin_row(pin: rx.Var[PinView]) -> rx.Component:
    message = pin["message"]
    at_message = "?message=" + message["id"].to_string()  # this room, scrolled to the message
    return rx.box(
        rx.hstack(
            rx.text(message["author"], weight="bold", size="2"),
            rx.moment(message["created_at"], format="D MMM HH:mm", font_size="0.75rem", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.link("Jump", href=at_message, size="1"),
            rx.button("Unpin", size="1", variant="soft", on_click=RoomState.unpin(message["id"])),
            align="baseline",
            width="100%",
        ),
        rx.html(message["html"], class_name="message-body"),
        rx.text("pinned by " + pin["pinned_by"], size="1", color=rx.color("gray", 11)),
        class_name="pin",
        data_message_id=message["id"],
        width="100%",
    )


def _pins_panel() -> rx.Component:
    """The room's pinned messages, newest first, live."""
    return rx.vstack(
        rx.heading("Pinned", size="3"),
        rx.cond(
            RoomState.pins.length() > 0,
            rx.foreach(RoomState.pins, _pin_row),
            rx.text("Nothing is pinned here yet. Pin a message with the pin in its toolbar.", size="2"),
        ),
        id="pins-panel",
        spacing="2",
        width="100%",
    )


def _members_panel() -> rx.Component:
    return rx.vstack(
        rx.foreach(RoomState.members, _member_row),
        rx.cond(
            (RoomState.room_kind == access.PRIVATE) & ~RoomState.is_guest,
            inline_form(
                rx.input(
                    id="invite-username",
                    name="username",
                    placeholder="Username",
                    aria_label="Username to invite",
                    required=True,
                    max_length=64,
                ),
                "Invite",
                RoomState.invite,
            ),
        ),
        _panel_messages(),
        rx.cond(
            RoomState.room_kind != access.PUBLIC,
            rx.button(
                rx.cond(RoomState.room_kind == access.DM, "Leave conversation", "Leave room"),
                id="leave-room",
                variant="outline",
                color_scheme="red",
                size="1",
                on_click=RoomState.leave,
            ),
        ),
        id="members-panel",
        class_name="room-panel",
        width="100%",
        spacing="2",
    )


def _hook_row(hook: rx.Var[WebhookView]) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(hook["name"], weight="medium", size="2"),
            rx.text("posts as ", rx.code(hook["bot"]), size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Revoke",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=WebhooksState.revoke_hook(hook["id"]),
            aria_label="Revoke webhook " + hook["name"],
        ),
        width="100%",
        align="center",
        class_name="webhook",
    )


def _webhooks() -> rx.Component:
    """Incoming webhooks: a secret URL that posts into this room (`curl -d '{"text": "..."}' URL`)."""
    return rx.vstack(
        rx.heading("Incoming webhooks", size="3", margin_top="1rem"),
        rx.text('A secret address your tools POST JSON to (`{"text": "..."}`) to post here.', size="1"),
        inline_form(
            rx.input(name="name", placeholder="Name, e.g. CI builds", aria_label="Webhook name", max_length=64),
            "Create webhook",
            WebhooksState.create_hook,
        ),
        shown_once("Webhook URL", WebhooksState.hook_url, "webhook-url"),
        error_callout(WebhooksState.hook_error),
        rx.foreach(WebhooksState.hooks, _hook_row),
        spacing="2",
        width="100%",
        on_mount=WebhooksState.load_hooks,
        id="webhooks",
    )


def _retention() -> rx.Component:
    """The room's own retention policy (an owner may only shorten what is in force)."""
    return rx.vstack(
        rx.heading("History", size="3", margin_top="1rem"),
        rx.text(
            rx.cond(
                RoomState.retention_days > 0,
                "Messages older than " + RoomState.retention_days.to_string() + " days are deleted.",
                "Messages here are kept.",
            ),
            size="1",
        ),
        inline_form(
            rx.input(
                name="days",
                type="number",
                min="0",
                placeholder="Days (0: the server's policy)",
                aria_label="Delete messages after (days)",
            ),
            "Set",
            RoomState.save_retention,
        ),
        spacing="2",
        width="100%",
        id="room-retention",
    )


def _guest_invite() -> rx.Component:
    """A guest invite link for this room: its guests see this room and the people in it, nothing else."""
    return rx.vstack(
        rx.heading("Invite guests", size="3", margin_top="1rem"),
        rx.text("Guests see only this room and the people in it: no other rooms, no directory.", size="1"),
        rx.form(
            rx.hstack(
                labeled_input("People", "uses", type="number", default_value="5", min="1"),
                labeled_input("Link valid (days)", "days", type="number", default_value="7", min="1"),
                labeled_input(
                    "Guests stay (days, 0: no end)", "guest_days", type="number", default_value="30", min="0"
                ),
                rx.button("Create guest link", type="submit", id="create-guest-link"),
                align="end",
                wrap="wrap",
                spacing="2",
            ),
            on_submit=RoomState.invite_guests,
            reset_on_submit=False,
            width="100%",
        ),
        shown_once("Guest invite link", RoomState.guest_link, "guest-link"),
        spacing="2",
        width="100%",
        id="guest-invite",
    )


def _settings_panel() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                labeled_input(
                    "Room name",
                    "name",
                    default_value=RoomState.room_name,
                    max_length=settings.ROOM_NAME_MAX_CHARS,
                    required=True,
                ),
                labeled_input(
                    "Description",
                    "description",
                    default_value=RoomState.room_description,
                    max_length=settings.ROOM_DESCRIPTION_MAX_CHARS,
                ),
                rx.button("Save", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=RoomState.save_room,
            reset_on_submit=False,
            width="100%",
            key=RoomState.room_name + RoomState.room_description,
        ),
        _panel_messages(),
        rx.hstack(
            rx.button(
                rx.cond(RoomState.archived, "Reopen room", "Archive room"),
                id="archive-room",
                variant="soft",
                on_click=RoomState.set_archived(~RoomState.archived),
            ),
            confirmed_button(
                "Delete room",
                "Delete this room?",
                "The room and all its messages are deleted for everyone. This cannot be undone.",
                RoomState.delete_room,
                id="delete-room",
            ),
            spacing="2",
            wrap="wrap",
        ),
        _retention(),
        _guest_invite(),
        _webhooks(),
        id="settings-panel",
        class_name="room-panel",
        width="100%",
        spacing="2",
    )


def _search_panel() -> rx.Component:
    return inline_form(
        rx.input(
            name="q",
            type="search",
            placeholder="Words to find in this room",
            aria_label="Search in this room",
            auto_focus=True,
            max_length=settings.SEARCH_QUERY_MAX_CHARS,
            width="100%",
        ),
        "Search",
        RoomState.search_room,
        id="search-panel",
        class_name="room-panel",
    )


def _archived_notice() -> rx.Component:
    return rx.callout(
        "This room is archived: you can read it, but nobody can post in it.",
        icon="archive",
        color_scheme="gray",
        id="archived",
        width="100%",
    )


_PANELS = {
    "members": ("Members", _members_panel),
    "settings": ("Room settings", _settings_panel),
    "search": ("Search this room", _search_panel),
    "pins": ("Pinned messages", _pins_panel),
    "files": ("Files", files_panel),
}


def _side_panel() -> rx.Component:
    """The open panel (RoomState.panel): beside the history at desktop width, over it on a phone (chat.css
    `.side-panel`); never over the message box."""
    return rx.cond(
        RoomState.panel != "",
        rx.el.section(
            rx.match(RoomState.panel, *[(name, make()) for name, (_, make) in _PANELS.items()], rx.fragment()),
            aria_label=rx.match(RoomState.panel, *[(name, label) for name, (label, _) in _PANELS.items()], "Panel"),
            class_name="side-panel",
        ),
    )


def _header() -> rx.Component:
    """The room's name (on a phone the top bar shows it instead: chat.css `.page-title`), kind, panel buttons and
    notifications menu; under them its description (one line, whole on hover) and who is here."""
    return rx.vstack(
        rx.hstack(
            rx.heading(RoomState.room_name, size="6", class_name="page-title room-title", title=RoomState.room_name),
            _kind_badge(),
            _room_buttons(),
            rx.spacer(),
            _notifications_menu(),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.hstack(
            rx.text(
                RoomState.room_description,
                color=rx.color("gray", 11),
                size="2",
                title=RoomState.room_description,
                class_name="room-description",
            ),
            _presence(),
            align="center",
            justify="between",
            width="100%",
        ),
        spacing="1",
        width="100%",
        class_name="room-header",
    )


def _room() -> rx.Component:
    """The room as tall as the window (layout.page's `fill`): the header, the history with the open panel and
    thread beside it, then the typing line and the message box at the bottom (chat.css `.room`)."""
    shown = room_feed.messages
    first = shown[0].to(MessageView)
    newest = rx.cond(shown.length() > 0, shown[-1]["seq"], 0)
    return rx.vstack(
        _header(),
        rx.box(
            rx.box(
                RoomLog.create(
                    _history(),
                    message_toolbar("room"),
                    code_copy("room"),
                    rx.button(
                        "Jump to latest",
                        rx.icon("arrow-down", size=14),
                        id="jump-latest",
                        type="button",
                        size="1",
                        radius="full",
                        class_name="jump-latest",
                        hidden=True,
                    ),
                    newest=newest,
                    older_than=rx.cond((shown.length() > 0) & (first["seq"] > 1), first["id"], 0),
                    gap_after=room_feed.gap_after,
                    gap_before=room_feed.gap_before,
                    on_read=RoomState.mark_read,
                    on_load_older=RoomState.load_older,
                    on_fill_gap=RoomState.fill_gap,
                ),
                class_name="room-history",
            ),
            rx.box(_side_panel(), thread_panel(), class_name="room-side"),
            class_name="room-body",
        ),
        rx.cond(
            has_connection_errors,
            rx.callout(
                "Reconnecting… Messages sent meanwhile will appear when the connection is back; "
                "text in the box is kept, press Send again if it was not sent.",
                icon="wifi_off",
                color_scheme="amber",
                role="status",
                id="reconnecting",
                width="100%",
            ),
        ),
        selection_bar(),
        rx.cond(
            RoomState.archived,
            _archived_notice(),
            rx.box(_typing_line(), _composer(), poll_form(), width="100%"),
        ),
        _delete_dialog(),
        edit_history_dialog(),
        forward_form(),
        remind_dialog(),
        Keys.create(
            composer=COMPOSER_ID,
            edit_box=EDIT_BOX_ID,
            messages=shown,
            me=AuthState.username,
            # Escape: everything here is read, wherever the reader has scrolled to.
            on_escape=RoomState.mark_read(newest),
            on_edit=RoomState.start_edit,
            on_cancel_edit=RoomState.cancel_edit,
        ),
        spacing="3",
        width="100%",
        class_name="room",
    )


def room() -> rx.Component:
    return page(
        rx.match(
            RoomState.status,
            ("missing", _not_found()),
            ("ready", _room()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        ),
        fill=True,
        title=RoomState.room_name,
    )
