"""Edit history and saved messages in Chromium, two people: Alice edits her message, Bob opens "(edited)" and
reads both versions; Bob saves it from its tools, finds it on his Saved page, jumps back to it, and removes it."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room
from tests.e2e.test_room_experience import send


def test_a_reader_opens_an_edited_messages_versions_saves_it_and_finds_it_on_the_saved_page(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Saved ")
    send(alice, "lunch at noon")
    send(alice, "small talk")
    expect(messages(bob)).to_have_count(2)
    lunch = messages(bob).filter(has_text="lunch at")

    editor = alice.get_by_role("textbox", name="Edit message")
    messages(alice).first.hover()
    messages(alice).first.get_by_role("button", name="Edit message").click()
    expect(editor).to_have_value("lunch at noon")
    editor.fill("lunch at **one**")
    editor.press("Enter")
    expect(lunch.locator(".message-body")).to_have_text("lunch at one")

    lunch.get_by_role("button", name="Edited: show earlier versions").click()
    versions = bob.locator("#message-versions .message-version")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Now")
    expect(versions.nth(0).locator("strong")).to_have_text("one")
    expect(versions.nth(1)).to_contain_text("Earlier")
    expect(versions.nth(1)).to_contain_text("lunch at noon")
    bob.get_by_role("button", name="Close").click()
    expect(versions).to_have_count(0)

    lunch.hover()
    lunch.get_by_role("button", name="Save for later").click()
    expect(lunch.get_by_role("button", name="Remove from saved")).to_be_visible()
    expect(lunch).to_have_attribute("data-saved", "true")
    expect(messages(alice).first).to_have_attribute("data-saved", "false")  # Alice saved nothing

    bob.locator("a.side-saved").first.click()
    expect(bob).to_have_url(re.compile(r"/saved$"))
    items = bob.locator("#saved .saved-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("lunch at one")
    items.first.get_by_role("link", name="Jump").click()
    expect(bob).to_have_url(re.compile(r"/rooms/.+\?message=\d+$"))
    expect(messages(bob).filter(has_text="lunch at")).to_have_attribute("data-saved", "true")

    bob.go_back()
    expect(items).to_have_count(1)
    items.first.get_by_role("button", name="Remove from saved").click()
    expect(bob.locator("#no-saved")).to_be_visible()
    expect(composer(alice)).to_be_visible()
