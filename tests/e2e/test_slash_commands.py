"""Slash commands in Chromium: `/` at the start of the box lists the commands (the built-ins and the example
hooks' the e2e app loads), filtered as you type and chosen with the keyboard; /shrug, /me and /echo as
another user sees them, /echo answered by its bot with the bot badge; an unknown command is refused."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room


def test_slash_lists_the_commands_and_the_keyboard_chooses_and_sends_shrug(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Commands ")
    box = composer(alice)
    box.press_sequentially("/")
    picker = alice.get_by_role("listbox", name="Commands")
    names = picker.get_by_role("option").locator(".picker-name")
    expect(names).to_have_text(["/echo", "/me", "/poll", "/remind", "/shrug", "/topic"])
    shrug = picker.get_by_role("option").nth(4)
    expect(shrug.locator(".picker-usage")).to_contain_text("[TEXT]")
    expect(shrug.locator(".picker-help")).to_have_text("Post TEXT followed by ¯\\_(ツ)_/¯")

    box.press_sequentially("t")
    expect(names).to_have_text(["/topic"])
    box.press("Escape")
    expect(picker).to_have_count(0)
    expect(box).to_have_value("/t")
    box.press("Backspace")
    expect(names).to_have_text(["/echo", "/me", "/poll", "/remind", "/shrug", "/topic"])
    for _ in range(5):
        box.press("ArrowDown")
    box.press("ArrowUp")
    expect(picker.get_by_role("option").nth(4)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(picker).to_have_count(0)
    expect(box).to_have_value("/shrug ")

    box.press_sequentially("no idea")
    box.press("Enter")
    expect(box).to_have_value("")
    for page in (alice, bob):
        expect(messages(page)).to_have_count(1)
        expect(messages(page).last.locator(".message-body")).to_have_text("no idea ¯\\_(ツ)_/¯")


def test_echo_is_answered_by_its_bot_with_the_bot_badge_and_me_shows_in_italics(new_page):
    alice, bob, alice_name = two_in_a_room(new_page, "Echoes ")
    box = composer(alice)
    box.fill("/echo hello from the bot")
    box.press("Enter")
    expect(box).to_have_value("")
    row = messages(bob).last
    expect(row.locator(".message-author")).to_have_text("echo-bot")
    expect(row.locator(".message-body")).to_have_text("hello from the bot")
    expect(row.locator(".bot-mark")).to_have_text("bot")
    expect(messages(bob)).to_have_count(1)  # the invocation itself is not posted

    box.fill("/me waves")
    box.press("Enter")
    waved = messages(bob).last.locator(".me-message")
    expect(waved).to_have_text(f"{alice_name} waves")
    expect(waved.locator("em")).to_have_css("font-style", "italic")

    box.fill("/foo bar")
    box.press("Enter")
    expect(alice.get_by_role("alert")).to_contain_text(re.compile(r"^Unknown command /foo\. Type / "))
    expect(box).to_have_value("/foo bar")
    expect(messages(bob)).to_have_count(2)
