"""Files in messages: the attach control of the message box (FileDrop, assets/file_drop.js: button,
drag-and-drop, paste, progress and cancel), the files waiting for the next message, and a message's files
(an image's thumbnail opening the full size, any other file as a card with its download link)."""

import reflex as rx
from reflex_base.event import passthrough_event_spec
from reflex_base.vars import VarData

from djangochat_rx import settings
from djangochat_rx.domain import attachments
from djangochat_rx.domain.attachments import FileView, RoomFile
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.room_composer import COMPOSER_ID

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
    max_at_once: rx.Var[int]
    pending: rx.Var[int]
    drop_target: rx.Var[str]
    paste_target: rx.Var[str]
    # The file picker's name for screen readers and its tooltip (default: "Attach files").
    input_label: rx.Var[str]
    on_uploaded: rx.EventHandler[passthrough_event_spec(int)]
    on_refused: rx.EventHandler[passthrough_event_spec(str)]


def attach_control() -> rx.Component:
    """The message box's paperclip, with drag-and-drop on the whole box and paste into its text."""
    return FileDrop.create(
        rx.icon("paperclip", size=18, aria_hidden="true"),
        upload_url=RoomState.upload_url,
        ticket=AuthState.upload_ticket,
        max_bytes=settings.FILE_MAX_BYTES,
        max_files=settings.FILES_PER_MESSAGE,
        max_at_once=settings.UPLOADS_PER_USER_AT_ONCE,
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
            rx.el.img(src=AuthState.files_base + file["thumb_url"], alt="", class_name="pending-thumb"),
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


def _image(file: rx.Var[FileView], files_base: rx.Var[str]) -> rx.Component:
    return rx.el.a(
        rx.el.img(
            src=files_base + file["thumb_url"],
            alt=file["name"],
            # HTML attributes (the box is kept before the picture loads), not a style: a style computed per file
            # would add a CSS rule per picture, and each new rule restyles the whole page.
            custom_attrs={"width": file["thumb_width"], "height": file["thumb_height"]},
            loading="lazy",
            class_name="attachment-thumb",
        ),
        href=files_base + file["url"],
        target="_blank",
        rel="noopener",
        title=file["name"] + " (" + file["size_label"] + ")",
        class_name="attachment-image",
        data_file_id=file["id"],
    )


def _card(file: rx.Var[FileView], files_base: rx.Var[str]) -> rx.Component:
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
            href=files_base + file["download_url"],
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


def _file(file: rx.Var[FileView], files_base: rx.Var[str]) -> rx.Component:
    return rx.cond(file["kind"] == attachments.IMAGE, _image(file, files_base), _card(file, files_base))


def message_files(files: rx.Var[list[FileView]], files_base: rx.Var[str]) -> rx.Component:
    """A message's files, in upload order (`files_base`: AuthState.files_base, a prop of the message's row)."""
    return rx.cond(
        files.length() > 0,
        rx.flex(
            rx.foreach(files, lambda file: _file(file, files_base)), class_name="attachments", wrap="wrap", gap="2"
        ),
    )


def _room_files_var() -> rx.Var:
    hook = f"const roomFiles = useRoomFiles({RoomState.get_full_name()!r}, {attachments.FILES_PANEL_LIMIT});"
    data = VarData(imports={"$/public/room_files.js": ["useRoomFiles"]}, hooks={hook: None})
    return rx.Var(_js_expr="roomFiles", _var_type=list[RoomFile], _var_data=data).to(list[RoomFile])


def _file_line(line: rx.Var[RoomFile]) -> rx.Component:
    file = line["file"].to(FileView)
    at_message = "?message=" + line["message_id"].to_string()
    shown = (RoomState.files_kind == "") | (file["kind"] == RoomState.files_kind)
    return rx.cond(
        shown,
        rx.hstack(
            rx.cond(
                file["kind"] == attachments.IMAGE,
                rx.el.img(src=AuthState.files_base + file["thumb_url"], alt="", class_name="pending-thumb"),
                rx.icon("file", size=16, aria_hidden="true"),
            ),
            rx.vstack(
                rx.el.a(
                    file["name"],
                    href=AuthState.files_base
                    + rx.cond(file["kind"] == attachments.IMAGE, file["url"], file["download_url"]),
                    target="_blank",
                    rel="noopener",
                    class_name="attachment-name",
                ),
                rx.text(
                    line["author"] + " · " + file["size_label"],
                    rx.moment(line["created_at"], format=" · D MMM HH:mm"),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.link("Jump", href=at_message, size="1"),
            class_name="room-file",
            data_file_id=file["id"],
            align="center",
            width="100%",
        ),
    )


def files_panel() -> rx.Component:
    """The room's files, newest first, live, with who posted each and when; all, images or other files."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Files", size="3"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("All", value="all"),
                rx.segmented_control.item("Images", value=attachments.IMAGE),
                rx.segmented_control.item("Files", value=attachments.FILE),
                value=rx.cond(RoomState.files_kind == "", "all", RoomState.files_kind),
                on_change=RoomState.show_files,
                size="1",
                aria_label="Show",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            _room_files_var().length() > 0,
            rx.foreach(_room_files_var(), _file_line),
            rx.text("No files here yet. Attach one with the paperclip, or drop it on the message box.", size="2"),
        ),
        id="files-panel",
        spacing="2",
        width="100%",
    )
