"""The workspace layout in Chromium: a sidebar on every signed-in page lists the rooms, private rooms and
direct conversations with live unread and mention badges, makes rooms and conversations, and switches
rooms without the rooms page; on a phone a compact top bar opens the same list as a sheet."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, messages, register, unique

PHONE = {"width": 375, "height": 740}


def side_row(page: Page, name: str):
    return page.locator("aside.sidebar a.side-room", has_text=name)


def new_room_from_sidebar(page: Page, name: str) -> None:
    page.locator("aside.sidebar").get_by_role("button", name="New room").click()
    dialog = page.get_by_role("dialog", name="New room")
    dialog.get_by_label("Room name").fill(name)
    dialog.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(messages(page).last).to_contain_text(text)


def test_the_sidebar_shows_unread_and_mentions_live_and_switches_rooms(new_page):
    alice, bob = new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)
    here, there = unique("Side here "), unique("Side there ")
    new_room_from_sidebar(alice, here)
    new_room_from_sidebar(bob, there)
    expect(side_row(bob, there)).to_have_attribute("aria-current", "page")
    # Alice reads her room; the other room appears in her sidebar as it is made, nothing unread.
    expect(side_row(alice, there)).to_be_visible()
    expect(side_row(alice, there).locator(".side-unread")).to_have_count(0)

    send(bob, "anyone there?")
    send(bob, f"@{alice_name} look at this")
    row = side_row(alice, there)
    expect(row.locator(".side-unread")).to_have_text("2")
    expect(row.locator(".side-mention")).to_be_visible()
    expect(side_row(alice, here).locator(".side-unread")).to_have_count(0)  # her own room: she is reading it

    row.click()
    expect(alice).to_have_url(re.compile(re.escape("/rooms/") + "[^/]+$"))
    expect(alice.get_by_role("heading", name=there)).to_be_visible()
    expect(messages(alice)).to_have_count(2)
    expect(side_row(alice, there)).to_have_attribute("aria-current", "page")
    expect(side_row(alice, there).locator(".side-unread")).to_have_count(0)
    expect(side_row(alice, there).locator(".side-mention")).to_have_count(0)
    expect(side_row(alice, here)).to_have_attribute("aria-current", "false")

    # A direct conversation from the sidebar's New message, listed under Direct messages for both.
    alice.locator("aside.sidebar").get_by_role("button", name="New message").click()
    dialog = alice.get_by_role("dialog", name="New message")
    dialog.get_by_label("People").fill(bob_name)
    dialog.get_by_role("button", name="Open conversation").click()
    expect(alice.get_by_role("dialog")).to_have_count(0)
    send(alice, "just us")
    conversations = bob.locator('aside.sidebar [data-section="dm"] a.side-room')
    expect(conversations).to_have_count(1)
    expect(conversations.locator(".side-unread")).to_have_text("1")


def test_on_a_phone_a_compact_top_bar_opens_the_rooms_as_a_sheet(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    register(page, unique("pocket"))
    first, second = unique("Pocket one "), unique("Pocket two ")
    page.get_by_role("button", name="Open menu").click()
    sheet = page.get_by_role("dialog", name="Menu")
    sheet.get_by_role("button", name="New room").click()
    dialog = page.get_by_role("dialog", name="New room")
    dialog.get_by_label("Room name").fill(first)
    dialog.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name=first)).to_be_visible()
    page.goto("/rooms")
    page.get_by_label("Room name").fill(second)
    page.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name=second)).to_be_visible()

    expect(page.locator("aside.sidebar")).to_be_hidden()
    bar = page.locator("header.top-bar")
    expect(bar).to_contain_text(second)
    assert bar.bounding_box()["height"] <= 56  # the history and the box get the screen
    send(page, "on the go")
    expect(composer(page)).to_be_in_viewport(ratio=1)

    page.get_by_role("button", name="Open menu").click()
    sheet = page.get_by_role("dialog", name="Menu")
    expect(sheet.locator("a.side-room", has_text=second)).to_have_attribute("aria-current", "page")
    sheet.locator("a.side-room", has_text=first).click()
    expect(page.get_by_role("dialog")).to_have_count(0)  # a tap on a room closes the sheet
    expect(page.get_by_role("heading", name=first)).to_be_visible()
    expect(bar).to_contain_text(first)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
