"""Files in messages: the attach control of the message box (FileDrop, assets/file_drop.js: button,
drag-and-drop, paste, progress and cancel), the files waiting for the next message, and a message's files
(an image's thumbnail opening the full size, any other file as a card with its download link)."""

import reflex as rx
from reflex_base.event import passthrough_event_spec

from djangochat_rx import attachments, settings
from djangochat_rx.attachments import FileView
from djangochat_rx.state.room import COMPOSER_ID, RoomState

COMPOSER_FORM_ID = "composer"


class FileDrop(rx.Component):
    """Uploads files picked with its button (its children), dropped on `drop_target` or pasted into
    `paste_target`: on_uploaded(file id) for each one the server kept, on_refused(reason) otherwise."""

    library = "$/public/file_drop.js"
    tag = "FileDrop"
    is_default = False

    upload_url: rx.Var[str]
    ticket: rx.Var[str]
    max_bytes: rx.Var[int]
    max_files: rx.Var[int]
    pending: rx.Var[int]
    drop_target: rx.Var[str]
    paste_target: rx.Var[str]
    on_uploaded: rx.EventHandler[passthrough_event_spec(int)]
    on_refused: rx.EventHandler[passthrough_event_spec(str)]


def attach_control() -> rx.Component:
    """The message box's paperclip, with drag-and-drop on the whole box and paste into its text."""
    return FileDrop.create(
        rx.icon("paperclip", size=18, aria_hidden="true"),
        upload_url=RoomState.upload_url,
        ticket=RoomState.upload_ticket,
        max_bytes=settings.FILE_MAX_BYTES,
        max_files=settings.FILES_PER_MESSAGE,
        pending=RoomState.pending_files.length(),
        drop_target=COMPOSER_FORM_ID,
        paste_target=COMPOSER_ID,
        on_uploaded=RoomState.file_uploaded,
        on_refused=RoomState.file_refused,
    )


def _pending(file: rx.Var[FileView]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            file["kind"] == attachments.IMAGE,
            rx.el.img(src=RoomState.files_base + file["thumb_url"], alt="", class_name="pending-thumb"),
            rx.icon("file", size=16, aria_hidden="true"),
        ),
        rx.text(file["name"], size="1", class_name="pending-name", trim="both"),
        rx.text(file["size_label"], size="1", color=rx.color("gray", 11)),
        rx.icon_button(
            rx.icon("x", size=12),
            type="button",
            on_click=RoomState.remove_file(file["id"]),
            variant="ghost",
            size="1",
            aria_label="Remove " + file["name"],
        ),
        class_name="pending-file",
        spacing="2",
        align="center",
    )


def pending_files() -> rx.Component:
    """What goes with the next message (uploaded already), each with a way to take it off."""
    return rx.cond(
        RoomState.pending_files.length() > 0,
        rx.flex(rx.foreach(RoomState.pending_files, _pending), class_name="pending-files", wrap="wrap", gap="2"),
    )


def _image(file: rx.Var[FileView]) -> rx.Component:
    return rx.el.a(
        rx.el.img(
            src=RoomState.files_base + file["thumb_url"],
            alt=file["name"],
            width=file["thumb_width"],
            height=file["thumb_height"],
            loading="lazy",
            class_name="attachment-thumb",
        ),
        href=RoomState.files_base + file["url"],
        target="_blank",
        rel="noopener",
        title=file["name"] + " (" + file["size_label"] + ")",
        class_name="attachment-image",
        data_file_id=file["id"],
    )


def _card(file: rx.Var[FileView]) -> rx.Component:
    return rx.hstack(
        rx.icon("file", size=20, aria_hidden="true"),
        rx.vstack(
            rx.text(file["name"], size="2", weight="medium", class_name="attachment-name", trim="both"),
            rx.text(file["size_label"] + " · " + file["content_type"], size="1", color=rx.color("gray", 11)),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.el.a(
            rx.icon("download", size=16, aria_hidden="true"),
            href=RoomState.files_base + file["download_url"],
            download=file["name"],
            # Past the client-side router (which would try to show the path as a page) to the browser.
            target="_blank",
            rel="noopener",
            aria_label="Download " + file["name"],
            class_name="attachment-download",
        ),
        class_name="attachment-card",
        data_file_id=file["id"],
        align="center",
        spacing="2",
    )


def _file(file: rx.Var[FileView]) -> rx.Component:
    return rx.cond(file["kind"] == attachments.IMAGE, _image(file), _card(file))


def message_files(files: rx.Var[list[FileView]]) -> rx.Component:
    """A message's files, in upload order."""
    return rx.cond(
        files.length() > 0, rx.flex(rx.foreach(files, _file), class_name="attachments", wrap="wrap", gap="2")
    )
