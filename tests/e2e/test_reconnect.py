"""A user who drops offline sees "Reconnecting…", then every message sent meanwhile, once, in order."""

import time

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room


def test_offline_user_catches_up_on_every_missed_message(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Flaky wifi ")
    composer(alice).fill("before")
    composer(alice).press("Enter")
    expect(messages(bob)).to_have_count(1)

    bob.context.set_offline(True)
    offline_at = time.monotonic()
    # Chromium usually drops the socket at once; otherwise the ping timeout (10 + 10 s) notices.
    expect(bob.locator("#reconnecting")).to_be_visible(timeout=30_000)
    for i in range(20):
        composer(alice).fill(f"missed {i}")
        composer(alice).press("Enter")
        expect(messages(alice)).to_have_count(i + 2)
    time.sleep(max(0.0, 10 - (time.monotonic() - offline_at)))
    expect(messages(bob)).to_have_count(1)
    bob.context.set_offline(False)

    expect(bob.locator("#reconnecting")).to_be_hidden(timeout=15_000)
    expect(messages(bob)).to_have_count(21)
    texts = [text.split("\n")[-1].strip() for text in messages(bob).all_inner_texts()]
    assert texts == ["before"] + [f"missed {i}" for i in range(20)]
