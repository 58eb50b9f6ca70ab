"""Send later in the browser: Alice schedules a message with "Pick a time" a few seconds ahead (in her own zone);
Bob sees it arrive in the room by itself, and Alice's Scheduled page lists it while it waits and not after."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, messages, two_in_a_room, unique


def test_a_message_scheduled_a_few_seconds_ahead_arrives_for_bob_and_leaves_the_scheduled_list(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Later ")
    room_url = alice.url
    text = unique("posted later ")
    composer(alice).fill(text)
    alice.get_by_role("button", name="Send later").click()
    zone_line = alice.get_by_text(re.compile(r"^Times are in "))
    expect(zone_line).to_be_visible()
    zone = ZoneInfo(re.fullmatch(r"Times are in (.+)\.", zone_line.inner_text())[1])
    due = datetime.now(zone) + timedelta(seconds=12)
    alice.get_by_label("Pick a time…").fill(due.strftime("%Y-%m-%dT%H:%M:%S"))
    alice.get_by_role("button", name="Schedule").click()
    expect(composer(alice)).to_have_value("")
    expect(alice.locator("#later-said")).to_contain_text("Scheduled for")

    alice.goto("/scheduled")
    expect(alice.locator(".later-item")).to_have_count(1)
    expect(alice.locator(".later-item .later-body")).to_have_text(text)
    expect(messages(bob).filter(has_text=text)).to_have_count(0)  # not yet

    expect(messages(bob).filter(has_text=text)).to_have_count(1, timeout=40_000)
    alice.reload()
    expect(alice.locator("#no-scheduled")).to_be_visible()
    expect(alice.locator(".later-item")).to_have_count(0)
    alice.goto(room_url)
    expect(messages(alice).filter(has_text=text)).to_have_count(1)
