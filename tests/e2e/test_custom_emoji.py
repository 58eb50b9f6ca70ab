"""Custom emoji in Chromium, two people: Alice adds one from her account page; it shows as a picture in a message
and as Bob's reaction (chosen in the picker's Custom category); when Alice removes it, both screens show its
name instead."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_chat import messages, two_in_a_room, unique
from tests.e2e.test_room_experience import send


def picture_file(tmp_path, name: str):
    path = tmp_path / f"{name}.png"
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (30, 160, 90)).save(out, format="PNG")
    path.write_bytes(out.getvalue())
    return path


def wait_drawn(page, selector: str, drawn: bool) -> None:
    """Wait until the element `selector` of `page` shows a picture (`drawn`) or none (its text)."""
    page.wait_for_function(
        """([selector, drawn]) => {
          const found = document.querySelector(selector);
          const image = found ? getComputedStyle(found).backgroundImage : "";
          return found !== null && image.includes("/_files/emoji/") === drawn;
        }""",
        arg=[selector, drawn],
        timeout=15_000,
    )


def test_a_custom_emoji_is_added_used_in_a_message_and_a_reaction_and_removed(new_page, tmp_path):
    alice, bob, _ = two_in_a_room(new_page, "Emoji ")
    room_url = alice.url
    name = unique("party").lower()
    alice.goto("/account")
    section = alice.locator("#custom-emoji")
    section.get_by_label("Upload the emoji's picture").set_input_files(str(picture_file(tmp_path, name)))
    expect(section.locator(".custom-emoji-row", has_text=f":{name}:")).to_be_visible()

    alice.goto(room_url)
    send(alice, f"let us :{name}: tonight")
    in_message = f'#messages .message:last-child .message-body .custom-emoji[data-emoji="{name}"]'
    shown = bob.locator(in_message)
    expect(shown).to_have_attribute("aria-label", f":{name}:")
    wait_drawn(bob, in_message, True)

    messages(bob).last.hover()
    messages(bob).last.get_by_role("button", name="Add reaction").click()
    picker = bob.locator("em-emoji-picker")
    picker.locator("input[type=search]").fill(name)
    picker.locator(f'button[title=":{name}:"]').click()  # the search's one result, drawn from our picture
    chip = f'#messages .reaction[data-emoji=":{name}:"] .custom-emoji'
    expect(alice.locator(chip)).to_be_visible()
    wait_drawn(alice, chip, True)

    alice.goto("/account")
    alice.locator("#custom-emoji").get_by_role("button", name=f"Remove :{name}:").click()
    expect(alice.locator("#custom-emoji .custom-emoji-row", has_text=f":{name}:")).to_have_count(0)
    wait_drawn(bob, in_message, False)  # Bob's page, live: its name as text
    expect(shown).to_have_text(f":{name}:")
