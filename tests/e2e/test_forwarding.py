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


def test_two_ticked_messages_reach_the_other_room_in_order(new_page):
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
    create_room(alice, unique("Notes "))
    for text in ("first note", "second note", "third note"):
        send(alice, text)
    expect(messages(alice)).to_have_count(3)
    boxes = alice.get_by_role("checkbox", name=re.compile(f"^Select message from {alice_name} at "))

    # Escape leaves selection mode, even with the focus on a checkbox.
    messages(alice).first.hover()
    messages(alice).first.get_by_role("button", name="Select messages").click()
    expect(boxes).to_have_count(3)
    boxes.nth(1).focus()
    alice.keyboard.press("Escape")
    expect(boxes).to_have_count(0)

    # The third message's "Select messages" ticks it; the first is ticked by its checkbox, named with its time.
    third = messages(alice).nth(2)
    third.hover()
    third.get_by_role("button", name="Select messages").click()
    bar = alice.get_by_role("region", name="Messages selected to forward")
    expect(bar).to_contain_text("1 selected")
    first = messages(alice).first
    time = first.locator("time").inner_text()
    ticked = first.get_by_role("checkbox", name=f"Select message from {alice_name} at {time}")
    ticked.click()  # the server's selection decides: ticked once it answers
    expect(ticked).to_be_checked()
    expect(bar).to_contain_text("2 selected")
    expect(boxes.nth(1)).not_to_be_checked()
    bar.get_by_role("button", name="Forward").click()

    dialog = alice.get_by_role("dialog", name="Forward 2 messages")
    expect(dialog.locator("#forward-chosen li")).to_have_text([f"{alice_name} first note", f"{alice_name} third note"])
    dialog.get_by_label("Forward to", exact=True).select_option(label=hall)
    dialog.get_by_role("button", name="Forward", exact=True).click()
    expect(alice.get_by_role("dialog")).to_have_count(0)
    expect(bar).to_have_count(0)
    expect(boxes).to_have_count(0)

    expect(messages(bob)).to_have_count(2)
    expect(messages(bob).locator(".message-body")).to_have_text(["first note", "third note"])
    expect(messages(bob).get_by_role("link", name=f"Forwarded from {alice_name}")).to_have_count(2)
