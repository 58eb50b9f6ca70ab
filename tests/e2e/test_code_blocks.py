"""Highlighted code in Chromium, two people: Alice sends a fenced Python block, Bob sees it coloured (Pygments'
classes kept by the sanitiser, styled by chat.css) and copies it with the block's Copy button."""

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room

CODE = 'def greet(name):\n    return f"hi {name}"'


def test_a_fenced_block_is_coloured_for_the_reader_and_its_copy_button_copies_the_code(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Code ")
    bob.context.grant_permissions(["clipboard-read", "clipboard-write"])
    composer(alice).fill(f"look:\n```python\n{CODE}\n```")
    composer(alice).press("Enter")
    expect(composer(alice)).to_have_value("")

    block = messages(bob).last.locator(".message-body pre.hl")
    expect(block).to_be_visible()
    keywords = block.locator("span.hl-k")
    expect(keywords).to_have_text(["def", "return"])
    expect(block.locator("span.hl-nf")).to_have_text("greet")
    colours = block.evaluate(
        "pre => [getComputedStyle(pre.querySelector('.hl-k')).color, getComputedStyle(pre.querySelector('code')).color]"
    )
    assert colours[0] != colours[1], colours  # a keyword is not in the text's own colour

    messages(bob).last.hover()
    copy = block.get_by_role("button", name="Copy")
    expect(copy).to_be_visible()
    copy.click()
    expect(block.get_by_role("button", name="Copied")).to_be_visible()
    assert bob.evaluate("navigator.clipboard.readText()") == CODE
    expect(block.locator("code")).to_have_text(CODE)  # the button is not part of the code
