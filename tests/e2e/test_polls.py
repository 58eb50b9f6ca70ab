"""Polls in Chromium, two people: Alice asks one with `/poll`, Bob votes and both see the results live; Bob
changes his vote; Alice closes it and nobody can vote any more. Bob asks an anonymous one with the poll form."""

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room


def test_a_poll_is_asked_voted_in_live_and_closed(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Polls ")
    bob_name = bob.locator("aside.sidebar").get_by_title("Your profile").first.inner_text()
    composer(alice).fill('/poll "Lunch today?" "Pizza" "Sushi" "Salad"')
    composer(alice).press("Enter")
    expect(composer(alice)).to_have_value("")

    poll = bob.get_by_role("group", name="Poll: Lunch today?")
    expect(poll.locator(".poll-answer")).to_have_count(3)
    poll.get_by_role("button", name="Sushi").click()
    expect(poll.get_by_role("button", name="Sushi")).to_have_attribute("aria-pressed", "true")
    seen_by_alice = alice.get_by_role("group", name="Poll: Lunch today?")
    expect(seen_by_alice).to_contain_text("1 vote")
    expect(seen_by_alice.locator(".poll-voters")).to_have_text([bob_name])
    expect(seen_by_alice.locator(".poll-answer").nth(1)).to_contain_text("1")

    poll.get_by_role("button", name="Pizza").click()  # changes his vote
    expect(poll.get_by_role("button", name="Pizza")).to_have_attribute("aria-pressed", "true")
    expect(poll.get_by_role("button", name="Sushi")).to_have_attribute("aria-pressed", "false")
    expect(seen_by_alice.locator(".poll-answer").nth(0)).to_contain_text("1")
    expect(seen_by_alice.locator(".poll-answer").nth(1)).to_contain_text("0")

    expect(poll.get_by_role("button", name="Close poll")).to_have_count(0)  # only its author closes it
    seen_by_alice.get_by_role("button", name="Close poll").click()
    expect(poll).to_contain_text("closed")
    expect(poll.get_by_role("button", name="Salad")).to_be_disabled()

    bob.get_by_role("button", name="Ask a poll").click()
    bob.get_by_label("Question").fill("Rate the demo")
    bob.get_by_label("Answers, one per line (2 to 10)").fill("Good\nFine\n\nBad")
    bob.get_by_text("Anonymous: show counts, not who voted").click()
    bob.get_by_role("button", name="Ask").click()
    rated = alice.get_by_role("group", name="Poll: Rate the demo")
    expect(rated.locator(".poll-answer")).to_have_count(3)
    expect(rated).to_contain_text("anonymous")
    rated.get_by_role("button", name="Good").click()
    expect(bob.get_by_role("group", name="Poll: Rate the demo")).to_contain_text("1 vote")
    expect(bob.get_by_role("group", name="Poll: Rate the demo").locator(".poll-voters")).to_have_count(0)
    expect(messages(bob)).to_have_count(2)
