"""Guests in Chromium: a room's owner makes a guest link from the room's settings; the guest who registers with it
sees that room and nothing else (no other room, no directory, no "New room"), and is marked "guest" beside its
messages for everyone."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import create_room, messages, register, unique
from tests.e2e.test_private_rooms import NOT_FOUND, send

PASSWORD = "password123"


def test_a_guest_sees_only_the_room_it_was_invited_to_and_is_marked_a_guest(new_page, tmp_path):
    host, host_name = new_page(), unique("host")
    register(host, host_name)
    hall = unique("Hall ")
    create_room(host, hall)
    hall_path = host.url[host.url.index("/rooms/") :]
    host.goto("/rooms")
    launch = unique("Launch ")
    create_room(host, launch)
    send(host, "welcome, partners")

    host.locator("#settings-button").click()
    host.get_by_label("People", exact=True).fill("1")
    host.get_by_role("button", name="Create guest link").click()
    link = host.locator("#guest-link")
    expect(link).to_have_value(re.compile(r"invite="))
    url = link.input_value()
    path = url[url.index("/", url.index("//") + 2) :]

    guest, guest_name = new_page(), unique("guest")
    guest.goto(path)
    guest.get_by_label("Username").fill(guest_name)
    guest.get_by_label("Password", exact=True).fill(PASSWORD)
    guest.get_by_label("Confirm password").fill(PASSWORD)
    guest.get_by_role("button", name="Register").click()
    expect(guest).to_have_url(re.compile(r"/rooms/?$"))
    expect(guest.get_by_role("heading", name="Your rooms")).to_be_visible()
    nav = guest.get_by_role("navigation", name="Your rooms")
    expect(nav.get_by_text(launch)).to_be_visible()
    expect(guest.get_by_text(hall)).to_have_count(0)
    expect(guest.get_by_role("button", name="Create room")).to_have_count(0)
    expect(nav.get_by_role("button", name="New room")).to_have_count(0)

    nav.get_by_text(launch).click()
    expect(messages(guest).last).to_contain_text("welcome, partners")
    send(guest, "hello from outside")
    theirs = messages(host).last
    expect(theirs).to_contain_text("hello from outside")
    expect(theirs.locator(".guest-mark")).to_have_text("guest")
    expect(messages(guest).last.locator(".guest-mark")).to_have_text("guest")
    expect(messages(host).first.locator(".guest-mark")).to_have_count(0)
    guest.screenshot(path=str(tmp_path / "guest-room.png"))

    guest.goto(hall_path)
    expect(guest.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    expect(guest.get_by_text(hall)).to_have_count(0)
