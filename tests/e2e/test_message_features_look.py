"""What a room holding every kind of message looks like, on a desktop and a phone, light and dark: a highlighted
code block, a link's card, a custom emoji in a message and as a reaction, a poll, an edited message's versions and
the Saved page. Nothing is wider than the screen, each card fits in its column, and the message box stays in view.
With SCREENSHOTS set (a folder), every screen is saved there to be looked at."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, messages, two_in_a_room, unique
from tests.e2e.test_custom_emoji import picture_file
from tests.e2e.test_room_experience import send

SCREENSHOTS = os.environ.get("SCREENSHOTS")
SCREENS = {"desktop": (1280, 800), "phone": (375, 740)}
CODE = '```python\ndef total(values: list[int]) -> int:\n    """Sum them."""\n    return sum(values)  # all\n```'


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def fits(page: Page) -> None:
    """Nothing is wider than the screen, every card fits its message, the message box is in view."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth - innerWidth")
    assert width <= 0, f"the page is {width} px wider than the screen"
    for card in (".poll", ".link-preview", ".message-body pre"):
        wider = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].filter((card) => {
                 const message = card.closest('.message').getBoundingClientRect();
                 return card.getBoundingClientRect().right > message.right + 1;
               }).length""",
            card,
        )
        assert wider == 0, f"{card} is wider than its message"
    box = composer(page).bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box


@pytest.fixture
def busy_room(new_page, preview_site, tmp_path):
    """Alice's and Bob's room with one message of each kind (Bob's page is the one looked at)."""
    alice, bob, _ = two_in_a_room(new_page, "Looks ")
    room_url = alice.url
    emoji = unique("party").lower()
    alice.goto("/account")
    alice.locator("#custom-emoji").get_by_label("Upload the emoji's picture").set_input_files(
        str(picture_file(tmp_path, emoji))
    )
    expect(alice.locator("#custom-emoji .custom-emoji-row", has_text=f":{emoji}:")).to_be_visible()
    alice.goto(room_url)
    send(alice, "lunch at noon?")
    composer(alice).press("ArrowUp")
    editor = alice.get_by_role("textbox", name="Edit message")
    expect(editor).to_have_value("lunch at noon?")
    editor.fill("lunch at **one**?")
    editor.press("Enter")
    expect(editor).to_have_count(0)
    send(alice, CODE)
    send(alice, f"the plan, with pictures: {preview_site.url}/og")
    send(alice, f"see you there :{emoji}:")
    send(alice, '/poll "Where to?" "The park" "The beach" "Stay in"')
    expect(messages(bob)).to_have_count(5)
    bob.get_by_role("group", name="Poll: Where to?").get_by_role("button", name="The beach").click()
    messages(bob).first.hover()
    messages(bob).first.get_by_role("button", name="Save for later").click()
    expect(messages(bob).first).to_have_attribute("data-saved", "true")
    emoji_message = messages(bob).nth(3)
    emoji_message.hover()
    emoji_message.get_by_role("button", name="Add reaction").click()
    picker = bob.locator("em-emoji-picker")
    picker.locator("input[type=search]").fill(emoji)
    picker.locator(f'button[title=":{emoji}:"]').click()
    expect(emoji_message.locator(f'.reaction[data-emoji=":{emoji}:"]')).to_be_visible()
    if picker.count():  # the picker closes by itself after a pick, or by Escape
        bob.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    expect(messages(bob).nth(2).locator(".link-preview")).to_be_visible()
    return bob, room_url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_kind_of_message_fits_a_desktop_and_a_phone(busy_room, scheme):
    bob, room_url = busy_room
    bob.emulate_media(color_scheme=scheme)
    for screen, (width, height) in SCREENS.items():
        bob.set_viewport_size({"width": width, "height": height})
        bob.goto(room_url)
        expect(messages(bob)).to_have_count(5)
        expect(messages(bob).nth(2).locator(".link-preview-image")).to_have_js_property("complete", True)
        fits(bob)
        shot(bob, f"room-{screen}-{scheme}")
        edited = messages(bob).first.get_by_role("button", name="Edited: show earlier versions")
        edited.evaluate("button => button.scrollIntoView({block: 'center'})")
        edited.hover()  # the message's toolbar comes: on a phone too, "(edited)" stays reachable
        expect(messages(bob).first.get_by_role("toolbar")).to_be_visible()
        edited.click()
        expect(bob.locator("#message-versions .message-version")).to_have_count(2)
        shot(bob, f"versions-{screen}-{scheme}")
        bob.keyboard.press("Escape")
        expect(bob.locator("#message-versions")).to_have_count(0)
        bob.goto("/saved")
        expect(bob.locator("#saved .saved-item")).to_have_count(1)
        width_over = bob.evaluate("() => document.scrollingElement.scrollWidth - innerWidth")
        assert width_over <= 0, width_over
        shot(bob, f"saved-{screen}-{scheme}")
