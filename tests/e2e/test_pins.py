"""Pins in Chromium: one user pins a message with its pin button, the other sees it in the room's Pinned
panel at once, jumps to it, and unpins it; both see the panel empty again."""

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique


def test_a_pin_shows_in_the_other_users_pinned_panel_live(new_page):
    alice, bob = new_page(), new_page()
    register(alice, unique("alice"))
    register(bob, unique("bob"))
    room = unique("Pins ")
    create_room(alice, room)
    for text in ("the plan", "small talk"):
        composer(alice).fill(text)
        composer(alice).press("Enter")
        expect(messages(alice).last).to_contain_text(text)
    bob.goto(alice.url)
    expect(messages(bob)).to_have_count(2)
    bob.locator("#pins-button").click()
    expect(bob.locator("#pins-panel")).to_contain_text("Nothing is pinned here yet")

    plan = messages(alice).filter(has_text="the plan")
    plan.hover()
    plan.get_by_role("button", name="Pin message").click()
    expect(plan.get_by_role("button", name="Unpin message")).to_be_visible()
    expect(plan.get_by_role("img", name="Pinned")).to_be_visible()
    expect(bob.locator("#pins-panel .pin")).to_have_count(1)
    expect(bob.locator("#pins-panel .pin")).to_contain_text("the plan")
    expect(bob.locator("#pins-button")).to_have_accessible_name("Pinned messages: 1")

    bob.locator("#pins-panel .pin").get_by_role("button", name="Unpin").click()
    expect(bob.locator("#pins-panel")).to_contain_text("Nothing is pinned here yet")
    expect(plan.get_by_role("button", name="Pin message")).to_be_visible()
    expect(plan.get_by_role("img", name="Pinned")).to_have_count(0)
