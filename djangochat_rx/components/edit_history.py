"""The earlier versions of an edited message: "(edited)" on a message (components/message.py) opens this dialog,
newest version first, each with when it was written, in the reader's time zone."""

import reflex as rx

from djangochat_rx.domain.edit_history import VersionView
from djangochat_rx.state.room import RoomState


def _version(version: rx.Var[VersionView]) -> rx.Component:
    return rx.box(
        rx.text(
            rx.cond(version["current"], "Now · ", "Earlier · "),
            rx.moment(version["written_at"], format="D MMM YYYY, HH:mm:ss"),
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.html(version["html"], class_name="message-body"),
        class_name="message-version",
        data_current=version["current"].to_string(),
    )


def edit_history_dialog() -> rx.Component:
    """One dialog for the room page (its history and its thread panel)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit history"),
            rx.dialog.description("Every version of this message, newest first.", size="2"),
            rx.vstack(rx.foreach(RoomState.versions, _version), spacing="3", id="message-versions", margin_y="1rem"),
            rx.flex(rx.dialog.close(rx.button("Close", variant="soft")), justify="end"),
            max_width="36rem",
        ),
        open=RoomState.versions.length() > 0,
        on_open_change=RoomState.versions_closed,
    )
