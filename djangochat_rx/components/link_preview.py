"""The cards of a message's links (link_previews.py): the site, the page's title linking to it, its description and
picture. The picture is ours (fetched, re-encoded and served by the server: a reader's browser never asks the site
for anything). On one's own message a button takes a card away (RoomState.remove_preview). Stable hooks for tests:
`.link-preview` with `data-url`, the button named "Remove preview"."""

import reflex as rx

from djangochat_rx.domain.link_previews import PreviewView
from djangochat_rx.state.room import RoomState


def _card(card: rx.Var[PreviewView], message_id: rx.Var[int], mine: rx.Var[bool], files_base: rx.Var[str]):
    return rx.el.div(
        rx.cond(
            card["image_url"] != "",
            rx.el.img(
                src=files_base + card["image_url"],
                alt="",
                custom_attrs={"width": card["image_width"], "height": card["image_height"]},
                loading="lazy",
                class_name="link-preview-image",
            ),
        ),
        rx.el.div(
            rx.el.span(card["site"], class_name="link-preview-site"),
            rx.el.a(
                card["title"],
                href=card["url"],
                target="_blank",
                rel="noopener noreferrer",
                class_name="link-preview-title",
            ),
            rx.cond(card["description"] != "", rx.el.p(card["description"], class_name="link-preview-description")),
            class_name="link-preview-text",
        ),
        rx.cond(
            mine,
            rx.el.button(
                rx.icon("x", size=14, aria_hidden="true"),
                type="button",
                on_click=RoomState.remove_preview(message_id, card["url"]),
                aria_label="Remove preview",
                title="Remove preview",
                class_name="link-preview-remove",
            ),
        ),
        class_name="link-preview",
        data_url=card["url"],
    )


def link_previews(message: rx.Var, mine: rx.Var[bool], files_base: rx.Var[str]) -> rx.Component:
    """A message's cards, under its text (nothing when it has none: a message without links carries no field)."""
    return rx.cond(
        message["previews"],
        rx.el.div(
            rx.foreach(
                message["previews"].to(list[PreviewView]),
                lambda card: _card(card, message["id"].to(int), mine, files_base),
            ),
            class_name="link-previews",
        ),
    )
