"""Read receipts in Chromium: two people let others see what they have read (their account page), alice writes in a
room of theirs, bob opens it, and alice's page shows "Seen by bob" under her message without a reload."""

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import create_room, messages, register, unique
from tests.e2e.test_room_experience import send

SHARE = "Let others see when I have read their messages"


def share_receipts(page: Page) -> None:
    """Turn on the account page's read receipts switch (off for a new account)."""
    page.goto("/account")
    switch = page.get_by_role("switch", name=SHARE)
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    page.reload()  # it was saved, not only drawn
    expect(page.get_by_role("switch", name=SHARE)).to_have_attribute("aria-checked", "true")


def test_alice_sees_that_bob_read_her_message_live(new_page):
    alice, bob = new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)
    for page in (alice, bob):
        share_receipts(page)

    alice.goto("/rooms")
    create_room(alice, unique("Pair "))
    send(alice, "lunch at noon?")
    expect(messages(alice).last).to_contain_text("lunch at noon?")
    expect(alice.locator(".seen-by")).to_have_count(0)  # nobody has read it yet

    bob.goto(alice.url)
    expect(messages(bob).last).to_contain_text("lunch at noon?")
    seen = messages(alice).last.locator(".seen-by")
    expect(seen).to_have_text(f"Seen by {bob_name}")
    seen.click()  # a click (or a tap) shows every name
    expect(alice.locator(".seen-by-names")).to_have_text(f"Seen by {bob_name}")
    # Bob's page shows no receipt: the message is not his.
    expect(bob.locator(".seen-by")).to_have_count(0)
