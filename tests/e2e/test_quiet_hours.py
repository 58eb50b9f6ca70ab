"""Quiet hours that respect the recipient, in Chromium with two people in different time zones: bob (Tokyo) is
outside his working hours; alice (the browser's zone) is told so as she types, before she sends; bob's mention is
held (no browser notice); when his day starts, one summary reaches him.

The clock: bob's working days are set around the real "now" in Tokyo (tomorrow only, then today too), so the start
of his day is something the test makes happen rather than waits for. Headless Chromium has no notification centre:
bob's page gets the recording `Notification` and switchable visibility of test_notifications.py."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, create_room, register, unique
from tests.e2e.test_notifications import STAND_IN, notices

TOKYO = ZoneInfo("Asia/Tokyo")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def in_the_background(page: Page) -> None:
    """The page is hidden and may show notifications (the recording stand-in)."""
    page.evaluate("window.Notification.permission = 'granted'; window.__hidden = true")


def set_working_days(page: Page, days: set[int], start: str, end: str) -> None:
    for index, name in enumerate(DAYS):
        box = page.get_by_role("checkbox", name=name, exact=True)
        if box.is_checked() != (index in days):
            box.click()
    page.get_by_label("From").fill(start)
    page.get_by_label("to", exact=True).fill(end)
    page.get_by_role("button", name="Save working hours").click()


def test_the_sender_is_told_the_mention_waits_and_the_recipients_day_brings_it(new_page):
    alice, bob = new_page(), new_page()
    bob.context.add_init_script(STAND_IN)
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)
    room = unique("Quiet ")
    create_room(alice, room)
    room_url = alice.url

    # Bob lives in Tokyo and works 09:00-18:00 tomorrow (there) only: now is outside his working hours.
    bob.goto("/account")
    bob.locator("#time-zone").select_option("Asia/Tokyo")
    expect(bob.get_by_text("Time zone saved: Asia/Tokyo.")).to_be_visible()
    tomorrow = (datetime.now(TOKYO).weekday() + 1) % 7
    set_working_days(bob, {tomorrow}, "09:00", "18:00")
    expect(bob.get_by_text("Working hours saved.")).to_be_visible()
    bob.reload()  # the saved schedule is what the page reads back
    expect(bob.get_by_role("checkbox", name=DAYS[tomorrow], exact=True)).to_be_checked()
    expect(bob.get_by_label("From")).to_have_value("09:00")

    # Do not disturb is on and off from the same section.
    bob.get_by_role("button", name="Turn on", exact=True).click()
    expect(bob.locator("#dnd-status")).to_contain_text("On until")
    bob.get_by_role("button", name="Turn off", exact=True).click()
    expect(bob.get_by_text("Do not disturb is off.")).to_be_visible()

    bob.goto(room_url)
    expect(bob.get_by_role("heading", name=room)).to_be_visible()
    in_the_background(bob)

    # Alice is told before she sends: the time in Tokyo now, and that he hears of it at 09:00 his time.
    before = datetime.now(TOKYO).strftime("%H:%M")
    composer(alice).fill(f"@{bob_name} can you look at the release?")
    notice = alice.locator(".quiet-notice")
    expect(notice).to_contain_text(f"{bob_name}: ")
    after = datetime.now(TOKYO).strftime("%H:%M")
    said = notice.inner_text()
    assert re.search(
        rf"{bob_name}: ({before}|{after}) for them, notified at \w{{3}} 09:00 their time", said
    ) or re.search(rf"{bob_name}: ({before}|{after}) for them, notified at 09:00 their time", said), said
    composer(alice).press("Enter")
    expect(notice).to_have_count(0)  # the box is empty again: nothing to tell

    # The message reaches bob's page at once (marked as mentioning him); no browser notice interrupts him.
    expect(bob.locator('#messages .message[data-mentioned="true"]')).to_have_count(1)
    bob.wait_for_timeout(1500)  # proving a negative: the notice frame, had there been one, has arrived by now
    assert notices(bob) == []

    # Or she sends it for his morning: it waits on her Scheduled page, due when he may be disturbed again.
    composer(alice).fill(f"@{bob_name} the plan for tomorrow")
    alice.get_by_role("button", name=f"Send when {bob_name} is back").click()
    expect(alice.get_by_text(re.compile(r"^Scheduled for "))).to_be_visible()
    expect(composer(alice)).to_have_value("")
    expect(notice).to_have_count(0)
    alice.goto("/scheduled")
    expect(alice.get_by_text(f"@{bob_name} the plan for tomorrow")).to_be_visible()
    alice.goto(room_url)

    # His day starts (today becomes a working day, all day): one summary of what waited reaches him.
    bob.goto("/account")
    in_the_background(bob)
    today = datetime.now(TOKYO).weekday()
    set_working_days(bob, {today, tomorrow}, "00:00", "23:59")
    expect(bob.get_by_text("Working hours saved.")).to_be_visible()
    bob.wait_for_function("() => window.__notices.length > 0", timeout=15_000)
    assert notices(bob) == [
        {"title": "While you were away", "body": "1 mention waited while you were not to be disturbed."}
    ]

    # With bob reachable, alice's next mention tells her nothing.
    composer(alice).fill(f"@{bob_name} thanks!")
    alice.wait_for_timeout(300)
    expect(alice.locator(".quiet-notice")).to_have_count(0)
