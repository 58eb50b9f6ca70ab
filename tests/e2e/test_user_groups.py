"""User groups in Chromium, two people: Alice creates the group @backend with Bob on the Groups page, then writes
"@backend deploy?" in a room Bob is in (picking the group in the @ picker); Bob's rooms list marks the room as
mentioning him, and his room shows the group mention highlighted, linked to the group's page, on a row marked as
mentioning him."""

import re

from playwright.sync_api import expect

from tests.e2e.test_accessibility import violations
from tests.e2e.test_chat import composer, create_room, messages, register, unique
from tests.e2e.test_room_experience import room_card, slug_of


def test_a_group_is_created_and_its_mention_reaches_its_member(new_page):
    alice, bob = new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)
    create_room(alice, unique("Deploys "))
    room_url, slug = alice.url, slug_of(alice)
    bob.goto(room_url)
    expect(composer(bob)).to_be_visible()
    bob.goto("/rooms")  # Bob is in the room, and away from it

    group = unique("backend")
    alice.get_by_role("link", name="Groups", exact=True).click()
    expect(alice.get_by_role("heading", name="Groups", exact=True)).to_be_visible()
    alice.get_by_label("Name (people mention it as @name)").fill(group)
    alice.get_by_label("What it is for").fill("the API people")
    alice.get_by_label("People (usernames, commas between)").fill(bob_name)
    alice.get_by_role("button", name="Create group").click()
    expect(alice).to_have_url(re.compile(rf"/groups/{group}$"))
    expect(alice.get_by_role("heading", name=f"@{group}")).to_be_visible()
    expect(alice.locator("#group-members .group-member")).to_have_text(sorted([alice_name, bob_name]))
    alice.wait_for_load_state("networkidle")
    assert violations(alice) == []  # the group's page, with its managing controls
    alice.get_by_role("link", name="All groups").click()
    expect(alice.locator(f'.group-item[data-group="{group}"]')).to_contain_text("2 members")
    assert violations(alice) == []

    alice.goto(room_url)
    box = composer(alice)
    box.press_sequentially(f"@{group[:-2]}")
    picker = alice.get_by_role("listbox", name="Mention someone")
    expect(picker.get_by_role("option")).to_have_text([re.compile(rf"^@{group}\s*group · 2 members$")])
    box.press("Enter")
    expect(box).to_have_value(f"@{group} ")
    box.press_sequentially("deploy?")
    box.press("Enter")
    expect(box).to_have_value("")

    card = room_card(bob, slug)
    expect(card.locator(".mention-mark")).to_have_text("@ mentioned")
    bob.goto(room_url)
    row = messages(bob).last
    mention = row.locator("a.group-mention")
    expect(mention).to_have_text(f"@{group}")
    expect(mention).to_have_attribute("href", f"/groups/{group}")
    expect(row).to_have_attribute("data-mentioned", "true")
    # Alice wrote it: her row is not marked as mentioning her, though the group is highlighted there too.
    expect(messages(alice).last.locator("a.group-mention")).to_have_text(f"@{group}")
    expect(messages(alice).last).to_have_attribute("data-mentioned", "false")
