"""The workspace's keys in Chromium: Ctrl+K from any page opens the quick switcher, typing narrows it, Enter
goes to the room; Alt+Down / Alt+Up go to the next / previous room of the user's list; Escape in a room
marks it read wherever the reader has scrolled to."""

import re
import time

from playwright.sync_api import expect
from sqlmodel import Session, col, select

from djangochat_rx.models import Room, RoomRead, User
from tests.e2e.test_chat import composer, create_room, messages, register, unique
from tests.e2e.test_room_experience import TO_TOP, WINDOW, open_at_bottom, seed_history


def test_ctrl_k_jumps_to_a_room_and_alt_arrows_step_between_rooms(new_page):
    page = new_page()
    register(page, unique("walker"))
    # Private rooms: in the sidebar's order (public, private, conversations) they sit together, whatever
    # the other tests' public rooms do meanwhile.
    first = unique("Harbour ")
    page.locator("#private").check()
    create_room(page, first)
    first_url = page.url
    second = unique("Lighthouse ")
    page.goto("/rooms")
    page.locator("#private").check()
    create_room(page, second)
    composer(page).fill("the newest room")
    composer(page).press("Enter")
    expect(messages(page)).to_have_count(1)
    second_url = page.url

    page.goto("/account")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)  # the page is live (its list came over the socket)
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("textbox", name="Room or person")).to_be_focused()
    page.keyboard.type(first.split()[1])  # the unique part of its name
    expect(dialog.locator(".switcher-choice")).to_have_count(1)
    expect(dialog.locator(".switcher-choice")).to_contain_text(first)
    page.keyboard.press("Enter")
    expect(page).to_have_url(first_url)
    expect(dialog).to_be_hidden()
    expect(page.locator("#present")).to_be_visible()

    # The room with the newest message comes first among the private rooms, then this one.
    page.keyboard.press("Alt+ArrowUp")
    expect(page).to_have_url(second_url)
    # Keys are for a page that is there: moving between rooms the page stays up, so wait for this room's own
    # name and message (a key pressed earlier would be read against the room the page was leaving).
    expect(page.get_by_role("heading", name=second)).to_be_visible()
    expect(messages(page).locator(".message-body")).to_have_text(["the newest room"])
    page.keyboard.press("Alt+ArrowDown")
    expect(page).to_have_url(re.compile(re.escape(first_url) + "$"))


def read_up_to(engine, username: str, slug: str) -> int:
    with Session(engine) as db:
        found = db.exec(
            select(RoomRead.last_read_seq)
            .join(User, col(User.id) == RoomRead.user_id)
            .join(Room, col(Room.id) == RoomRead.room_id)
            .where(User.username == username, Room.slug == slug)
        ).first()
        return found or 0


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_escape_marks_the_room_read_while_scrolled_up(new_page, engine):
    alice, bob = new_page(), new_page()
    names = (unique("alice"), unique("bob"))
    register(alice, names[0])
    register(bob, names[1])
    room = seed_history(engine, names, WINDOW)
    alice.goto(f"/rooms/{room.slug}")
    log = open_at_bottom(bob, room.slug, WINDOW)
    wait_until(lambda: read_up_to(engine, names[1], room.slug) == WINDOW)  # read at the bottom, as before
    log.evaluate(TO_TOP)
    expect(bob.locator("#jump-latest")).to_be_hidden()
    composer(alice).fill("while you were reading")
    composer(alice).press("Enter")
    expect(bob.locator("#jump-latest")).to_be_visible()  # scrolled up: not read
    assert read_up_to(engine, names[1], room.slug) == WINDOW

    bob.locator("#messages").focus()
    bob.keyboard.press("Escape")
    wait_until(lambda: read_up_to(engine, names[1], room.slug) == WINDOW + 1)
