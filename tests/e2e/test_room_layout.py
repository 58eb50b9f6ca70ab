"""The room fills the window in Chromium, at desktop and phone sizes: the history runs from the room's header down
to the message box, the box sits at the bottom of the window, and an open panel (Pinned) sits beside or over the
history without pushing the box off the screen."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from djangochat_rx.domain import accounts, pins
from djangochat_rx.models import Message, User
from tests.e2e.test_chat import messages, register, unique
from tests.e2e.test_room_experience import PASSWORD, seed_history

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
# The message box's bottom is this close to the window's (the page's padding).
BOTTOM_SLACK = 24
# Between the history and the box: only the typing line ("alice is typing…").
TYPING_LINE_GAP = 32


def pinned_room(engine: Engine, reader: str) -> str:
    """A room with 30 messages by `reader` and another author, the third one pinned; its slug."""
    author = unique("ann_lee")
    with Session(engine, expire_on_commit=False) as db:
        accounts.register(db, author, PASSWORD, PASSWORD)
    room = seed_history(engine, (reader, author), 30)
    with Session(engine) as db:
        reader_id = db.exec(select(User.id).where(User.username == reader)).one()
        third = db.exec(select(Message.id).where(Message.room_id == room.id, col(Message.seq) == 3)).one()
        pins.pin(db, reader_id, third)
    return room.slug


def assert_fills_the_window(page: Page, size: dict[str, int]) -> None:
    history = page.locator("#messages").bounding_box()
    box = page.locator("form.composer").bounding_box()
    box_bottom = box["y"] + box["height"]
    assert size["height"] - BOTTOM_SLACK <= box_bottom <= size["height"], (box, size)
    assert 0 <= box["y"] - (history["y"] + history["height"]) <= TYPING_LINE_GAP, (history, box)
    assert history["height"] >= size["height"] / 3, history
    # The page itself does not scroll: only the history does.
    assert page.evaluate("document.scrollingElement.scrollHeight") <= size["height"]


@pytest.mark.parametrize("size", SIZES)
def test_the_history_reaches_the_message_box_at_the_bottom_of_the_window_panel_open_or_not(new_page, engine, size):
    page = new_page()
    page.set_viewport_size(SIZES[size])
    name = unique("amy_")
    register(page, name)
    page.goto(f"/rooms/{pinned_room(engine, name)}")
    expect(messages(page)).to_have_count(30)
    expect(page.locator("#present")).to_be_visible()  # the header's last line has filled in
    assert_fills_the_window(page, SIZES[size])

    page.locator("#pins-button").click()
    panel = page.locator("#pins-panel")
    expect(panel.locator(".pin")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Message")).to_be_in_viewport(ratio=1)
    assert_fills_the_window(page, SIZES[size])
    # Beside the history, or over it: never over the message box.
    shown = panel.bounding_box()
    assert shown["y"] + shown["height"] <= page.locator("form.composer").bounding_box()["y"], shown

    page.locator("#pins-button").click()
    expect(panel).to_have_count(0)
    assert_fills_the_window(page, SIZES[size])
