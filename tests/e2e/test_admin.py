"""The admin area in Chromium, with an admin, a member and an outsider each in their own browser:
disabling cuts the member's open room at once, a removed message reads "removed by a moderator"
for everyone live, rooms are archived and deleted, every action is in the audit log, and nobody
else gets anything from /admin."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session

from djangochat_rx.db import make_engine
from djangochat_rx.domain import admin
from tests.e2e.test_chat import composer, create_room, messages, register, unique

PASSWORD = "password123"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The running app's database, for promoting the admin from the terminal's domain function."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def open_admin(new_page, engine: Engine) -> Page:
    """A new user, made an administrator (as `python -m djangochat_rx promote` does), on the admin page."""
    page, name = new_page(), unique("root")
    register(page, name)
    with Session(engine, expire_on_commit=False) as db:
        admin.promote(db, name)
    page.reload()
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Admin")).to_be_visible()
    return page


def in_a_room(new_page, topic: str) -> tuple[Page, Page, str, str]:
    """A member who creates a room and an outsider who walks in: (member, outsider, member's name, room slug)."""
    member, outsider, member_name = new_page(), new_page(), unique("member")
    register(member, member_name)
    register(outsider, unique("outsider"))
    create_room(member, unique(topic))
    outsider.goto(member.url)
    expect(composer(outsider)).to_be_visible()
    return member, outsider, member_name, member.url.rstrip("/").rsplit("/", 1)[-1]


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(composer(page)).to_have_value("")


def confirm(page: Page, button: str) -> None:
    """Press `button` in the confirmation dialog that is open."""
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(dialog).to_be_hidden()


def audit_rows(page: Page) -> Locator:
    page.get_by_role("tab", name="Audit log").click()
    return page.locator("#audit tbody tr")


def test_nobody_but_an_admin_gets_the_admin_page_or_its_link(new_page, engine):
    member = new_page()
    register(member, unique("member"))
    expect(member.get_by_role("link", name="Account")).to_be_visible()
    expect(member.get_by_role("link", name="Admin")).to_have_count(0)
    member.goto("/admin")
    expect(member.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(member.get_by_role("tab")).to_have_count(0)

    visitor = new_page()
    visitor.goto("/admin")
    expect(visitor).to_have_url(re.compile(r"/login/?$"))

    root = open_admin(new_page, engine)
    expect(root.get_by_role("tab")).to_have_count(7)


def test_disabling_a_member_cuts_their_open_room_and_sends_them_to_login_until_re_enabled(new_page, engine):
    member, outsider, member_name, _ = in_a_room(new_page, "Ban ")
    send(member, "before the ban")
    expect(messages(outsider)).to_have_count(1)
    root = open_admin(new_page, engine)

    root.get_by_label("Search users").fill(member_name)
    root.get_by_role("button", name="Search").click()
    row = root.locator(f'#admin-users tr[data-user="{member_name}"]')
    expect(root.locator("#admin-users tbody tr")).to_have_count(1)
    row.get_by_role("button", name=f"Disable {member_name}").click()
    expect(root.get_by_role("alertdialog")).to_contain_text(f"Disable {member_name}?")
    confirm(root, "Disable")
    expect(row).to_contain_text("disabled")
    expect(root.get_by_role("status")).to_have_text("User disabled and logged out everywhere.")
    expect(audit_rows(root).first).to_contain_text("user.disable")
    expect(audit_rows(root).first).to_contain_text(f"user:{member_name}")

    # The room goes on without the member's tab; the next thing it does lands on the login page.
    send(outsider, "after the ban")
    expect(messages(outsider)).to_have_count(2)
    member.wait_for_timeout(1000)
    expect(messages(member)).to_have_count(1)
    composer(member).fill("am I still here?")
    composer(member).press("Enter")
    expect(member).to_have_url(re.compile(r"/login/?$"))
    member.get_by_label("Username").fill(member_name)
    member.get_by_label("Password").fill(PASSWORD)
    member.get_by_role("button", name="Log in").click()
    expect(member.get_by_role("alert")).to_have_text("Invalid username or password.")
    expect(messages(outsider)).to_have_count(2)

    root.get_by_role("tab", name="Users").click()
    row.get_by_role("button", name=f"Re-enable {member_name}").click()
    expect(row).to_contain_text("active")
    expect(audit_rows(root).first).to_contain_text("user.enable")
    member.get_by_role("button", name="Log in").click()
    expect(member).to_have_url(re.compile(r"/rooms/?$"))


def test_a_removed_message_reads_removed_by_a_moderator_for_everyone_at_once(new_page, engine):
    member, outsider, member_name, slug = in_a_room(new_page, "Moderated ")
    send(member, "something rude")
    send(outsider, "a reply")
    expect(messages(member)).to_have_count(2)
    root = open_admin(new_page, engine)

    root.get_by_role("tab", name="Messages").click()
    root.get_by_label("Room slug").fill(slug)
    root.get_by_label("Author").fill(member_name)
    root.get_by_role("button", name="Filter").click()
    rows = root.locator("#admin-messages tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("something rude")
    rows.first.get_by_role("button", name=re.compile(r"^Remove message")).click()
    confirm(root, "Cancel")
    expect(rows.first).to_contain_text("something rude")
    rows.first.get_by_role("button", name=re.compile(r"^Remove message")).click()
    confirm(root, "Remove")
    expect(rows.first).to_contain_text("removed by a moderator")
    expect(rows.first.get_by_role("button")).to_have_count(0)

    for page in (member, outsider):
        removed = messages(page).first
        expect(removed.locator(".message-deleted")).to_have_text("removed by a moderator")
        expect(removed).not_to_contain_text("something rude")
        expect(messages(page).nth(1)).to_contain_text("a reply")
    member.reload()
    expect(messages(member).first.locator(".message-deleted")).to_have_text("removed by a moderator")
    expect(audit_rows(root).first).to_contain_text("message.remove")


def test_rooms_are_archived_reopened_and_deleted_from_the_admin_area(new_page, engine):
    member, outsider, _, slug = in_a_room(new_page, "Closing ")
    outsider.goto("/rooms")
    card = outsider.locator(f'a.room-card[data-room="{slug}"]')
    expect(card).to_be_visible()
    root = open_admin(new_page, engine)
    root.get_by_role("tab", name="Rooms").click()
    row = root.locator(f'#admin-rooms tr[data-room="{slug}"]')

    # The member's open room page follows each change at once.
    row.get_by_role("button", name=re.compile(r"^Archive ")).click()
    expect(row).to_contain_text("archived")
    expect(member.locator("#archived")).to_be_visible()
    expect(composer(member)).to_have_count(0)
    row.get_by_role("button", name=re.compile(r"^Reopen ")).click()
    expect(row).to_contain_text("open")
    send(member, "open again")

    row.get_by_role("button", name=re.compile(r"^Delete ")).click()
    confirm(root, "Delete")
    expect(row).to_have_count(0)
    expect(card).to_have_count(0)
    expect(member.get_by_role("heading", name="Room not found")).to_be_visible()
    actions = audit_rows(root)
    for index, action in enumerate(("room.delete", "room.unarchive", "room.archive")):
        expect(actions.nth(index)).to_contain_text(action)
        expect(actions.nth(index)).to_contain_text(f"room:{slug}")
