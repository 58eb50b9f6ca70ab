"""Reactions in Chromium with three people: one reacts from the picker's most used row, another finds an
emoji by searching the full picker, the third adds to an existing reaction by clicking it; every page
shows the same counts live, each person's own reactions highlighted, and who reacted on hover (a tap on a
phone)."""

import os

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique

# SCREENSHOTS=<folder> saves what the test saw (never committed).
SHOTS = os.environ.get("SCREENSHOTS", "")


def chip(page: Page, emoji: str):
    return messages(page).first.locator(f'.reaction[data-emoji="{emoji}"]')


def open_picker(page: Page) -> None:
    message = messages(page).first
    message.hover()
    message.get_by_role("button", name="Add reaction").click()


def test_reactions_from_the_picker_and_the_chips_show_live_for_everyone(new_page):
    pages = [new_page(), new_page(), new_page()]
    names = [unique(name) for name in ("ann", "ben", "cat")]
    for page, name in zip(pages, names, strict=True):
        register(page, name)
    ann, ben, cat = pages
    create_room(ann, unique("Reactions "))
    composer(ann).fill("we shipped it")
    composer(ann).press("Enter")
    expect(messages(ann)).to_have_count(1)
    for page in (ben, cat):
        page.goto(ann.url)
        expect(messages(page)).to_have_count(1)

    open_picker(ben)
    if SHOTS:
        ben.wait_for_timeout(1500)
        ben.screenshot(path=f"{SHOTS}/picker.png")
    ben.get_by_role("button", name="React with 👍").click()
    for page in pages:
        expect(chip(page, "👍")).to_contain_text("1")
    expect(chip(ben, "👍")).to_have_attribute("aria-pressed", "true")
    expect(chip(ann, "👍")).to_have_attribute("aria-pressed", "false")
    expect(chip(ann, "👍")).to_have_attribute("title", names[1])

    open_picker(cat)
    search = cat.locator("em-emoji-picker input[type=search]")
    search.fill("rocket")
    cat.locator("em-emoji-picker button[aria-label='🚀']").first.click()
    for page in pages:
        expect(chip(page, "🚀")).to_contain_text("1")

    chip(ann, "👍").click()
    for page in pages:
        expect(chip(page, "👍")).to_contain_text("2")
    expect(chip(ann, "👍")).to_have_attribute("title", f"{names[1]}, {names[0]}")
    if SHOTS:
        ann.screenshot(path=f"{SHOTS}/chips.png")
        ann.set_viewport_size({"width": 375, "height": 700})
        ann.emulate_media(color_scheme="dark")
        ann.screenshot(path=f"{SHOTS}/chips-375-dark.png")
    chip(ben, "👍").click()  # taken back
    for page in pages:
        expect(chip(page, "👍")).to_contain_text("1")
    expect(chip(ben, "👍")).to_have_attribute("aria-pressed", "false")

    # On a phone nothing hovers: a tap on "Who reacted" lists everyone, emoji by emoji.
    cat.set_viewport_size({"width": 375, "height": 700})
    messages(cat).first.get_by_role("button", name="Who reacted").click()
    listed = cat.get_by_role("dialog", name="Who reacted").locator(".reacted-by")
    expect(listed).to_have_count(2)
    expect(listed.filter(has_text="👍")).to_contain_text(names[0])
    expect(listed.filter(has_text="🚀")).to_contain_text(names[2])
    expect(listed.filter(has_text="👍")).not_to_contain_text(names[1])
