"""Private rooms, direct messages, profiles and message links in Chromium, with an owner, a member
and an outsider, each in their own browser."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from djangochat_rx.domain import messages as chat
from djangochat_rx.domain import rooms
from djangochat_rx.models import User
from tests.e2e.test_chat import composer, create_room, messages, register, unique

NOT_FOUND = "Room not found"


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(messages(page).last).to_contain_text(text)


def three_people(new_page) -> tuple[tuple[Page, str], tuple[Page, str], tuple[Page, str]]:
    people = []
    for role in ("owner", "member", "outsider"):
        page, name = new_page(), unique(role)
        register(page, name)
        people.append((page, name))
    return tuple(people)


def create_private_room(page: Page, name: str) -> str:
    """Create a private room from the rooms page; returns its path."""
    page.get_by_label("Room name").fill(name)
    page.get_by_label("Private: only people you invite can see it").check()
    page.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Private", exact=True)).to_be_visible()
    return page.url


def invite(page: Page, username: str) -> None:
    if not page.locator("#members-panel").is_visible():
        page.locator("#members-button").click()
    page.get_by_label("Username to invite").fill(username)
    page.get_by_role("button", name="Invite").click()
    expect(page.locator("#members-panel")).to_contain_text(f"{username} can now see this room.")


def own_card(page: Page, text: str):
    return page.locator("#own-rooms .room-card", has_text=text)


def test_a_private_room_is_for_its_members_and_a_removed_member_loses_it_at_once(new_page):
    (owner, _), (member, member_name), (outsider, _) = three_people(new_page)
    room_name = unique("Den ")
    path = create_private_room(owner, room_name)
    member.goto("/rooms")
    expect(member.get_by_role("main").get_by_role("heading", name="Rooms")).to_be_visible()
    expect(own_card(member, room_name)).to_have_count(0)

    invite(owner, member_name)
    expect(own_card(member, room_name)).to_be_visible()  # appears live on the open rooms list
    send(owner, "the plan is on")
    expect(own_card(member, room_name)).to_contain_text("1 unread")
    own_card(member, room_name).click()
    expect(messages(member).last).to_contain_text("the plan is on")
    send(member, "count me in")
    expect(messages(owner).last).to_contain_text("count me in")

    outsider.goto(path)
    expect(outsider.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    outsider.goto("/rooms")
    expect(outsider.get_by_role("main").get_by_role("heading", name="Rooms")).to_be_visible()
    expect(outsider.get_by_text(room_name)).to_have_count(0)

    owner.get_by_role("button", name=f"Remove {member_name}").click()
    expect(member.get_by_role("heading", name=NOT_FOUND)).to_be_visible()
    send(owner, "now just me")
    member.wait_for_timeout(500)
    expect(member.get_by_text("now just me")).to_have_count(0)
    member.goto(path)
    expect(member.get_by_role("heading", name=NOT_FOUND)).to_be_visible()


def test_the_owner_renames_archives_and_deletes_and_members_see_it_live(new_page):
    (owner, _), (member, member_name), (outsider, _) = three_people(new_page)
    path = create_private_room(owner, unique("Plans "))
    invite(owner, member_name)
    member.goto(path)
    expect(member.get_by_role("button", name="Members: 2")).to_be_visible()
    expect(member.locator("#settings-button")).to_have_count(0)  # only the owner has settings

    owner.locator("#settings-button").click()
    new_name = unique("Renamed ")
    owner.locator("#settings-panel").get_by_label("Room name").fill(new_name)
    owner.locator("#settings-panel").get_by_label("Description").fill("now with a description")
    owner.get_by_role("button", name="Save").click()
    expect(member.get_by_role("heading", name=new_name)).to_be_visible()
    expect(member.get_by_text("now with a description")).to_be_visible()

    owner.get_by_role("button", name="Archive room").click()
    expect(member.locator("#archived")).to_contain_text("nobody can post in it")
    expect(composer(member)).to_have_count(0)
    owner.get_by_role("button", name="Reopen room").click()
    expect(composer(member)).to_be_visible()

    outsider.goto(path)
    expect(outsider.get_by_role("heading", name=NOT_FOUND)).to_be_visible()

    owner.get_by_role("button", name="Delete room").click()
    owner.get_by_role("alertdialog").get_by_role("button", name="Delete room").click()
    expect(owner).to_have_url(re.compile(r"/rooms$"))
    expect(member.get_by_role("heading", name=NOT_FOUND)).to_be_visible()


def test_message_from_a_name_opens_one_direct_conversation(new_page):
    (alice, alice_name), (bob, bob_name), (outsider, _) = three_people(new_page)
    create_room(alice, unique("Lobby "))
    send(alice, "hello from alice")
    bob.goto(alice.url)
    bob.locator(".message-author", has_text=alice_name).first.click()
    expect(bob.locator("#profile-name")).to_have_text(alice_name)
    expect(bob.locator("#message-count")).to_have_text("1")
    expect(bob.locator("#rooms-in-common")).to_contain_text("None yet")
    bob.get_by_role("button", name="Message", exact=True).click()
    expect(bob.get_by_text("Direct", exact=True)).to_be_visible()
    dm_path = bob.url
    send(bob, "psst, alice")

    alice.goto("/rooms")
    card = own_card(alice, bob_name)
    expect(card).to_contain_text("1 unread")
    expect(card).to_contain_text("psst, alice")
    alice.goto(f"/users/{bob_name}")
    alice.get_by_role("button", name="Message", exact=True).click()
    expect(alice).to_have_url(dm_path)  # the same conversation, reused
    expect(messages(alice)).to_have_count(1)

    outsider.goto(dm_path)
    expect(outsider.get_by_role("heading", name=NOT_FOUND)).to_be_visible()


def test_own_profile_sets_a_display_name_others_see(new_page):
    alice, alice_name = new_page(), unique("alice")
    register(alice, alice_name)
    alice.get_by_role("link", name=alice_name, exact=True).click()
    expect(alice).to_have_url(re.compile(f"/users/{alice_name}$"))
    alice.get_by_label("Display name").fill("Alice Liddell")
    alice.get_by_label("About").fill("Curiouser and curiouser")
    alice.get_by_role("button", name="Save").click()
    expect(alice.get_by_role("status")).to_have_text("Saved.")

    bob = new_page()
    register(bob, unique("bob"))
    bob.goto(f"/users/{alice_name}")
    expect(bob.locator("#profile-name")).to_have_text("Alice Liddell")
    expect(bob.locator("#profile-about")).to_have_text("Curiouser and curiouser")
    bob.goto("/users/nobody-at-all")
    expect(bob.get_by_role("heading", name="User not found")).to_be_visible()


def registered_reader(new_page, engine: Engine) -> tuple[Page, int]:
    """A user registered in their own browser, and their id, for seeding rooms through the domain."""
    reader, name = new_page(), unique("reader")
    register(reader, name)
    with Session(engine) as db:
        return reader, db.exec(select(User.id).where(User.username == name)).one()


def test_a_message_link_opens_the_room_scrolled_to_that_message(new_page, engine: Engine):
    reader, user_id = registered_reader(new_page, engine)
    with Session(engine, expire_on_commit=False) as db:
        room = rooms.create_room(db, unique("Archive "), "", user_id)
        posted = [chat.post_message(db, room.id, user_id, f"entry {n}") for n in range(1, 131)]
    target = posted[9]
    reader.goto(f"/rooms/{room.slug}?message={target.id}")
    row = reader.locator(f'.message[data-message-id="{target.id}"]')
    expect(row).to_have_attribute("data-target", "true")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("entry 10")
    expect(reader.locator(f'.message[data-message-id="{posted[-1].id}"]')).not_to_be_in_viewport()


def test_search_from_a_room_keeps_to_that_room(new_page, engine: Engine):
    reader, user_id = registered_reader(new_page, engine)
    with Session(engine, expire_on_commit=False) as db:
        here = rooms.create_room(db, unique("Here "), "", user_id)
        elsewhere = rooms.create_room(db, unique("Elsewhere "), "", user_id)
        chat.post_message(db, elsewhere.id, user_id, "the marmalade jar is elsewhere")
        found = chat.post_message(db, here.id, user_id, "the marmalade jar is here")
    reader.goto(f"/rooms/{here.slug}")
    reader.get_by_role("button", name="Search this room").click()
    reader.get_by_label("Search in this room").fill("marmalade")
    reader.get_by_label("Search in this room").press("Enter")
    results = reader.locator("#search-results .search-hit")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("is here")
    results.first.click()
    expect(reader.locator(f'.message[data-message-id="{found.id}"]')).to_be_in_viewport()
