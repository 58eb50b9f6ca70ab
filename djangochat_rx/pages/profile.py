"""A user's profile page: who they are, since when, how much they wrote, rooms in common, "Message";
on one's own page, the form for display name and "about"."""

import reflex as rx

from djangochat_rx import routes, settings
from djangochat_rx.components.avatar import avatar, picture_of
from djangochat_rx.components.files import FileDrop
from djangochat_rx.components.layout import error_callout, labeled_input, page
from djangochat_rx.components.local_time import LocalTime
from djangochat_rx.components.marks import guest_mark
from djangochat_rx.domain import profiles
from djangochat_rx.http import files
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.profile import ProfileState


def _not_found() -> rx.Component:
    return rx.vstack(
        rx.heading("User not found", size="7"),
        rx.text("There is no user with this name."),
        rx.link("Back to rooms", href=routes.ROOMS),
        spacing="3",
        padding_y="2rem",
    )


def _common_room(room: rx.Var[profiles.CommonRoom]) -> rx.Component:
    return rx.link(room["name"], href="/rooms/" + room["slug"], class_name="common-room")


def _own_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Your profile", size="4"),
            labeled_input(
                "Display name",
                "display_name",
                default_value=ProfileState.display_name,
                max_length=profiles.DISPLAY_NAME_MAX_CHARS,
            ),
            labeled_input("About", "about", default_value=ProfileState.about, max_length=profiles.ABOUT_MAX_CHARS),
            error_callout(ProfileState.error),
            rx.cond(
                ProfileState.saved,
                rx.callout("Saved.", icon="check", color_scheme="green", role="status", width="100%"),
            ),
            rx.button("Save", type="submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=ProfileState.save,
        reset_on_submit=False,
        margin_top="2rem",
        key=ProfileState.shown_name,
    )


def _own_picture() -> rx.Component:
    """Upload a picture (the button, or drop one on the picture) or go back to the generated one."""
    return rx.hstack(
        FileDrop.create(
            rx.text("Change picture", size="2", weight="medium"),
            upload_url=AuthState.files_base + files.AVATAR_UPLOAD_PATH,
            ticket=AuthState.upload_ticket,
            max_bytes=settings.FILE_MAX_BYTES,
            max_files=1,
            pending=0,
            drop_target="profile-picture",
            paste_target="",
            on_uploaded=ProfileState.picture_changed,
            on_refused=ProfileState.picture_refused,
            class_name="picture-drop",
        ),
        rx.cond(
            picture_of(ProfileState.shown_name),
            rx.button("Use generated picture", on_click=ProfileState.remove_picture, variant="soft", size="1"),
        ),
        spacing="3",
        align="center",
        class_name="own-picture",
    )


def _profile() -> rx.Component:
    return rx.vstack(
        rx.box(avatar(ProfileState.shown_name, "large"), id="profile-picture", margin_bottom="0.5rem"),
        rx.cond(ProfileState.is_me, _own_picture()),
        rx.heading(
            rx.cond(ProfileState.display_name != "", ProfileState.display_name, ProfileState.shown_name),
            size="7",
            id="profile-name",
        ),
        rx.cond(ProfileState.display_name != "", rx.text("@" + ProfileState.shown_name, color=rx.color("gray", 11))),
        rx.cond(ProfileState.is_bot, rx.badge("bot", color_scheme="gray", variant="soft", id="profile-bot")),
        rx.cond(ProfileState.is_guest, guest_mark(id="profile-guest")),
        rx.cond(ProfileState.about != "", rx.text(ProfileState.about, id="profile-about")),
        rx.cond(ProfileState.status_line != "", rx.text(ProfileState.status_line, id="profile-status")),
        rx.cond(
            ProfileState.quiet_until != "",
            rx.text(
                rx.icon("moon", size=14, display="inline"),
                " Not to be disturbed now: notified from ",
                LocalTime.create(value=ProfileState.quiet_until),
                " (your time).",
                size="2",
                color=rx.color("gray", 11),
                id="profile-quiet",
            ),
        ),
        rx.cond(
            ProfileState.local_time != "",
            rx.text("Local time: " + ProfileState.local_time, size="2", id="profile-local-time"),
        ),
        rx.data_list.root(
            rx.data_list.item(
                rx.data_list.label("Joined"),
                rx.data_list.value(rx.cond(ProfileState.joined != "", rx.moment(ProfileState.joined, format="LL"), "")),
            ),
            rx.data_list.item(
                rx.data_list.label("Messages"),
                rx.data_list.value(ProfileState.message_count, id="message-count"),
            ),
            rx.cond(
                ~ProfileState.is_me,
                rx.data_list.item(
                    rx.data_list.label("Rooms in common"),
                    rx.data_list.value(
                        rx.cond(
                            ProfileState.rooms_in_common.length() > 0,
                            rx.hstack(rx.foreach(ProfileState.rooms_in_common, _common_room), wrap="wrap"),
                            rx.text("None yet", color=rx.color("gray", 11)),
                        ),
                        id="rooms-in-common",
                    ),
                ),
            ),
            margin_top="1rem",
        ),
        rx.cond(
            ProfileState.is_me,
            _own_form(),
            rx.vstack(
                rx.button(
                    rx.icon("message-circle", size=16), "Message", id="message-user", on_click=ProfileState.message
                ),
                error_callout(ProfileState.error),
                margin_top="1.5rem",
            ),
        ),
        spacing="1",
        width="100%",
    )


def profile() -> rx.Component:
    return page(
        rx.match(
            ProfileState.status,
            ("missing", _not_found()),
            ("ready", _profile()),
            rx.center(rx.spinner(size="3"), padding="4rem"),
        )
    )


def own_profile() -> rx.Component:
    """`/profile` only sends the user on to their own page."""
    return page(rx.center(rx.spinner(size="3"), padding="4rem"))
