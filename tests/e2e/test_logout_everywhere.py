"""Logging out in one tab logs out every tab of the browser: the others say so, and a message sent
from an old tab is not posted; it lands on the login page."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique


def test_logout_in_one_tab_ends_the_session_in_every_tab(new_page):
    first = new_page()
    register(first, unique("tabs"))
    room_name = unique("Two tabs ")
    create_room(first, room_name)
    second = first.context.new_page()
    second.goto(first.url)
    expect(second.get_by_role("heading", name=room_name)).to_be_visible()

    first.get_by_role("button", name="Log out").click()
    expect(first).to_have_url(re.compile(r"/login/?$"))
    expect(second.locator("#logged-out")).to_be_visible()

    composer(second).fill("sent from a stale tab")
    composer(second).press("Enter")
    expect(second).to_have_url(re.compile(r"/login/?$"))

    watcher = new_page()
    register(watcher, unique("watcher"))
    watcher.locator("a.room-card", has_text=room_name).click()
    expect(watcher.get_by_text("No messages yet")).to_be_visible()
    expect(messages(watcher)).to_have_count(0)


def test_log_out_everywhere_says_so_on_the_login_page(new_page):
    page = new_page()
    register(page, unique("everywhere"))
    page.goto("/account")
    page.get_by_role("button", name="Log out everywhere").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    expect(page.locator("#flash")).to_have_text("Every session of your account was logged out.")
    page.get_by_role("link", name="Register").first.click()
    expect(page).to_have_url(re.compile(r"/register/?$"))
    expect(page.locator("#flash")).to_have_count(0)
