"""Notification levels and mute in Chromium: from the room's notifications menu a user mutes a busy room;
their rooms page lists it after the others with a dot instead of an unread count, while the room they
did not mute keeps its count."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, create_room, register, unique


def test_a_muted_room_sorts_last_with_a_dot_instead_of_a_count(new_page):
    ann, ben = new_page(), new_page()
    register(ann, unique("ann"))
    register(ben, unique("ben"))
    quiet, busy = unique("Quiet "), unique("Busy ")
    create_room(ann, quiet)
    quiet_url = ann.url
    ann.goto("/rooms")
    create_room(ann, busy)
    busy_url = ann.url

    ben.goto(busy_url)
    menu = ben.locator("#room-notifications")
    expect(menu).to_have_accessible_name("Notifications: Mentions only")
    menu.click()
    ben.get_by_role("menuitem", name="Mute room").click()
    expect(menu).to_have_accessible_name("Notifications: muted")
    ben.goto(quiet_url)
    expect(ben.locator("#room-notifications")).to_have_accessible_name("Notifications: Mentions only")
    ben.goto("/rooms")
    expect(ben.locator(".room-card").filter(has_text=busy)).to_have_count(1)

    for url, text in ((quiet_url, "a quiet word"), (busy_url, "busy talk")):
        ann.goto(url)
        composer(ann).fill(text)
        composer(ann).press("Enter")
        expect(ann.locator(".message").last).to_contain_text(text)

    cards = ben.locator(".room-card")
    # The most active room, muted, goes after every other one (other tests' rooms included).
    expect(cards.first).to_contain_text(quiet)
    expect(cards.last).to_contain_text(busy)
    quiet_card, busy_card = cards.filter(has_text=quiet), cards.filter(has_text=busy)
    expect(quiet_card.locator(".unread-count")).to_have_text(re.compile(r"^1 unread$"))
    expect(busy_card.locator(".unread-count")).to_have_count(0)
    expect(busy_card.locator(".unread-dot")).to_be_visible()
    expect(busy_card.get_by_label("Muted")).to_be_visible()
