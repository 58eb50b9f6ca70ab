"""Custom emoji on the page: the one stylesheet that draws every `:name:` the page knows (CustomEmojiStyle,
assets/custom_emoji.js, mounted once by the page frame), an emoji as a reaction shows it (`emoji_label`), and
the account page's section to add, list and remove them (state/emoji.py)."""

import reflex as rx

from djangochat_rx import settings
from djangochat_rx.components.files import FileDrop
from djangochat_rx.domain.custom_emoji import EmojiView
from djangochat_rx.http import files
from djangochat_rx.state.auth import AuthState
from djangochat_rx.state.emoji import EmojiState


class CustomEmojiStyle(rx.Component):
    """A <style> with one rule per custom emoji `substate`'s page knows, its pictures from `base`."""

    library = "$/public/custom_emoji.js"
    tag = "CustomEmojiStyle"
    is_default = False

    substate: rx.Var[str]
    base: rx.Var[str]


def emoji_style() -> rx.Component:
    return CustomEmojiStyle.create(substate=AuthState.get_full_name(), base=AuthState.files_base)


def emoji_label(emoji: rx.Var[str]) -> rx.Component:
    """An emoji as text, or a custom emoji's `:name:` as the span messages use (drawn by the stylesheet while
    it exists, read as `:name:`)."""
    emoji = rx.Var.create(emoji).to(str)
    return rx.cond(
        emoji.startswith(":"),
        rx.el.span(
            emoji,
            class_name="custom-emoji",
            data_emoji=emoji.split(":")[1],
            role="img",
            aria_label=emoji,
        ),
        rx.el.span(emoji),
    )


def _row(item: rx.Var[EmojiView]) -> rx.Component:
    mine = (item["added_by"] == AuthState.username) | AuthState.is_admin
    return rx.hstack(
        rx.el.span(
            ":" + item["name"] + ":",
            class_name="custom-emoji",
            data_emoji=item["name"],
            role="img",
            aria_label=":" + item["name"] + ":",
        ),
        rx.text(":" + item["name"] + ":", size="2", weight="medium"),
        rx.text(rx.cond(item["added_by"] != "", "by " + item["added_by"], ""), size="1", color=rx.color("gray", 11)),
        rx.spacer(),
        rx.cond(
            mine,
            rx.button(
                "Remove",
                on_click=EmojiState.remove_emoji(item["name"]),
                variant="soft",
                color_scheme="red",
                size="1",
                aria_label="Remove :" + item["name"] + ":",
            ),
        ),
        align="center",
        spacing="2",
        width="100%",
        class_name="custom-emoji-row",
    )


def _add() -> rx.Component:
    """The name box and the picture's upload (FileDrop: the button, or a picture dropped on the section)."""
    return rx.hstack(
        rx.input(
            placeholder="name (or the file's)",
            value=EmojiState.new_name,
            on_change=EmojiState.name_typed.debounce(300),
            max_length=34,
            aria_label="New emoji's name",
            id="emoji-name",
        ),
        FileDrop.create(
            rx.text("Upload picture", size="2", weight="medium"),
            upload_url=AuthState.files_base + files.EMOJI_UPLOAD_PATH + "?name=" + EmojiState.new_name,
            ticket=AuthState.upload_ticket,
            max_bytes=settings.CUSTOM_EMOJI_MAX_BYTES,
            max_files=1,
            pending=0,
            drop_target="custom-emoji",
            paste_target="",
            input_label="Upload the emoji's picture",
            on_uploaded=EmojiState.emoji_added,
            on_refused=EmojiState.emoji_refused,
            class_name="picture-drop",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def emoji_section() -> rx.Component:
    """The account page's "Custom emoji": add one (when one may), every one listed, one's own (or, for an
    administrator, any) removable."""
    return rx.vstack(
        rx.heading("Custom emoji", size="4", margin_top="2rem"),
        rx.text(
            "Use them as :name: in messages and as reactions. A picture is shrunk to "
            f"{settings.CUSTOM_EMOJI_PIXELS}×{settings.CUSTOM_EMOJI_PIXELS} pixels "
            f"(PNG, JPEG, GIF or WebP, at most {settings.CUSTOM_EMOJI_MAX_BYTES // 1024} KB; an animation keeps its "
            "first frame).",
            size="2",
        ),
        rx.cond(EmojiState.may_add, _add(), rx.text(EmojiState.who_adds, size="2", id="who-adds-emoji")),
        rx.cond(
            EmojiState.emoji_error != "",
            rx.callout(EmojiState.emoji_error, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
        ),
        rx.cond(
            EmojiState.emoji_notice != "",
            rx.callout(EmojiState.emoji_notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
        rx.vstack(rx.foreach(EmojiState.emoji_list, _row), spacing="1", width="100%"),
        spacing="2",
        width="100%",
        on_mount=EmojiState.load_emoji,
        id="custom-emoji",
    )
