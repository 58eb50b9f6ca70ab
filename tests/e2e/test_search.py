"""Search in Chromium, with an owner, a member and an outsider each in their own browser: the navbar box,
highlighted and escaped snippets, filters, clear messages, and a result that opens the room at the message."""

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from djangochat_rx.domain import members, messages, rooms
from djangochat_rx.models import User
from tests.e2e.test_chat import register, unique


def search_from_navbar(page: Page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search all messages")
    box.fill(text)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.get_by_role("searchbox", name="Search messages")).to_have_value(text)


def hits(page: Page):
    return page.locator("#search-results .search-hit")


def test_search_finds_what_each_person_may_read_and_opens_the_room_at_the_message(new_page, engine: Engine):
    people = {}
    for role in ("owner", "member", "outsider"):
        page, name = new_page(), unique(role)
        register(page, name)
        people[role] = (page, name)
    word = unique("comet")
    with Session(engine, expire_on_commit=False) as db:
        ids = {role: db.exec(select(User.id).where(User.username == name)).one() for role, (_, name) in people.items()}
        public = rooms.create_room(db, unique("Sky "), "", ids["owner"])
        secret = rooms.create_room(db, unique("Den "), "", ids["owner"], private=True)
        members.invite(db, ids["owner"], secret.id, people["member"][1])
        in_public = messages.post_message(db, public.id, ids["owner"], f"a {word} over the <b>roof</b>")
        in_secret = messages.post_message(db, secret.id, ids["owner"], f"the {word} plan, members only")

    outsider = people["outsider"][0]
    outsider.goto("/rooms")
    search_from_navbar(outsider, word)
    expect(hits(outsider)).to_have_count(1)
    expect(hits(outsider).first).to_contain_text(public.name)
    expect(hits(outsider).first).to_contain_text("over the <b>roof</b>")  # shown as text, not markup
    expect(hits(outsider).first.locator("mark")).to_have_text(word)
    expect(outsider.locator("#search-results b")).to_have_count(0)
    expect(outsider.get_by_text("members only")).to_have_count(0)
    outsider.goto(f"/search?q={quote(f'{word} in:{secret.slug}')}")
    expect(outsider.locator("#search-empty")).to_contain_text("No messages match")
    expect(hits(outsider)).to_have_count(0)

    member = people["member"][0]
    member.goto("/rooms")
    search_from_navbar(member, f"{word} from:{people['owner'][1]}")
    expect(hits(member)).to_have_count(2)
    expect(member.locator("#search-count")).to_have_text("2 messages found")
    hits(member).filter(has_text="members only").click()
    expect(member).to_have_url(re.compile(rf"/rooms/{secret.slug}\?message={in_secret.id}$"))
    expect(member.get_by_role("heading", name=secret.name)).to_be_visible()
    expect(member.locator(f'.message[data-message-id="{in_secret.id}"]')).to_be_in_viewport()

    owner = people["owner"][0]
    owner.goto(f"/search?q={quote(f'{word} in:{public.slug}')}")
    expect(hits(owner)).to_have_count(1)
    expect(hits(owner).first).to_have_attribute("href", f"/rooms/{public.slug}?message={in_public.id}")


def test_an_empty_search_explains_itself_bad_input_says_why_and_it_fits_a_phone(new_page):
    page = new_page()
    register(page, unique("seeker"))
    page.goto("/search")
    expect(page.get_by_text("Every word must appear")).to_be_visible()
    search_from_navbar(page, '( * "')
    expect(page.get_by_role("alert")).to_contain_text("Type a word to search for")
    expect(hits(page)).to_have_count(0)
    page.get_by_role("searchbox", name="Search messages").fill(unique("nothing"))
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#search-empty")).to_contain_text("No messages match")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_search_page_needs_a_login(new_page):
    page = new_page()
    page.goto("/search?q=anything")
    expect(page).to_have_url(re.compile(r"/login$"))
