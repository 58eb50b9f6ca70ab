"""Forwarding in Chromium, two people: Alice forwards a message of her private room to a public room with a
comment; Bob, in the public room, sees the comment and the copy ("Forwarded from alice"); the copy's link tells
Bob the original is not his to read, and takes Alice to it."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import create_room, messages, register, unique
from tests.e2e.test_private_rooms import create_private_room
from tests.e2e.test_room_experience import send


def test_a_forwarded_copy_reaches_the_other_room_and_its_link_opens_only_for_a_reader(new_page):
    alice, bob = new_page(), new_page()
    alice_name = unique("alice")
    register(alice, alice_name)
    register(bob, unique("bob"))
    hall = unique("Hall ")
    create_room(alice, hall)
    hall_url = alice.url
    bob.goto(hall_url)
    expect(bob.get_by_role("heading", name=hall)).to_be_visible()

    alice.goto("/rooms")
    create_private_room(alice, unique("Den "))
    send(alice, "the secret **plan**")
    plan = messages(alice).last
    plan.hover()
    plan.get_by_role("button", name="Forward message").click()
    alice.get_by_label("Forward to", exact=True).select_option(label=hall)
    alice.get_by_label("Comment (optional)").fill("sharing this")
    alice.get_by_role("button", name="Forward", exact=True).click()
    expect(alice.get_by_role("dialog")).to_have_count(0)

    expect(messages(bob)).to_have_count(2)
    expect(messages(bob).first).to_contain_text("sharing this")
    copy = messages(bob).last
    expect(copy.locator(".message-body strong")).to_have_text("plan")
    forwarded = copy.get_by_role("link", name=f"Forwarded from {alice_name}")
    expect(forwarded).to_be_visible()
    forwarded.click()
    expect(bob.locator("#located-error")).to_contain_text("does not exist, or you cannot read it")

    alice.goto(hall_url)
    expect(messages(alice)).to_have_count(2)
    messages(alice).last.get_by_role("link", name=f"Forwarded from {alice_name}").click()
    expect(alice).to_have_url(re.compile(r"/rooms/[^/]+\?message=\d+$"))
    expect(messages(alice).last).to_contain_text("the secret plan")
