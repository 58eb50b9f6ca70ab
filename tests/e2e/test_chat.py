"""End to end in Chromium: two users register, chat live in one room, reload, log out."""

import re
import uuid

from playwright.sync_api import Page, expect


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def register(page: Page, username: str, password: str = "password123") -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))


def create_room(page: Page, name: str, description: str = "") -> None:
    """Create a room from the rooms page and wait until it is open."""
    page.get_by_label("Room name").fill(name)
    if description:
        page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Create room").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def two_in_a_room(new_page, topic: str) -> tuple[Page, Page, str]:
    """Alice and Bob, each registered in their own browser, both in a new room; returns Alice's name too."""
    alice, bob = new_page(), new_page()
    alice_name = unique("alice")
    register(alice, alice_name)
    register(bob, unique("bob"))
    room_name = unique(topic)
    create_room(alice, room_name)
    bob.goto(alice.url)
    expect(bob.get_by_role("heading", name=room_name)).to_be_visible()
    return alice, bob, alice_name


def composer(page: Page):
    return page.get_by_role("textbox", name="Message")


def messages(page: Page):
    return page.locator("#messages .message")


def test_two_users_chat_live_and_history_survives_reload(new_page):
    alice, bob = new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)

    room_name = unique("Lobby ")
    create_room(alice, room_name, "Where everyone meets")
    room_url = alice.url

    bob.reload()
    bob.locator("a.room-card", has_text=room_name).click()
    expect(bob).to_have_url(room_url)
    expect(bob.get_by_text("No messages yet")).to_be_visible()

    composer(alice).fill("Hello Bob")
    composer(alice).press("Enter")
    expect(messages(bob)).to_have_count(1)
    expect(messages(bob).first).to_contain_text(alice_name)
    expect(messages(bob).first).to_contain_text("Hello Bob")
    expect(composer(alice)).to_have_value("")

    xss = "<img src=x onerror=alert(1)> <b>bold?</b>"
    composer(bob).fill(xss)
    bob.get_by_role("button", name="Send", exact=True).click()
    expect(messages(alice)).to_have_count(2)
    expect(messages(alice).nth(1)).to_contain_text(xss)
    assert alice.locator("#messages img, #messages b").count() == 0

    alice.reload()
    expect(messages(alice)).to_have_count(2)
    expect(messages(alice).nth(0)).to_contain_text("Hello Bob")
    expect(messages(alice).nth(1)).to_contain_text(xss)

    alice.get_by_role("button", name="Log out").click()
    expect(alice).to_have_url(re.compile(r"/login/?$"))
    alice.goto(room_url)
    expect(alice).to_have_url(re.compile(r"/login/?$"))


def test_bad_input_gets_clear_messages_on_the_page(new_page):
    page = new_page()
    page.goto("/register")
    page.get_by_label("Username").fill(unique("carol"))
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Confirm password").fill("password124")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Passwords do not match")

    name = unique("carol")
    register(page, name)
    page.goto("/rooms/no-such-room")
    expect(page.get_by_role("heading", name="Room not found")).to_be_visible()

    page.goto("/rooms")
    room_name = unique("Quiet ")
    create_room(page, room_name)
    composer(page).fill("   ")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Type a message first")

    composer(page).fill("one message")
    composer(page).press("Enter")
    expect(messages(page)).to_have_count(1)
    page.goto("/profile")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("#message-count")).to_have_text("1")

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid username or password.")
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))


def test_pages_fit_a_phone_screen_in_light_and_dark_mode(new_page):
    page = new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    register(page, unique("phone"))
    room_name = unique("Phone room with a long name ")
    create_room(page, room_name)
    composer(page).fill("a" * 300)
    composer(page).press("Enter")
    expect(messages(page)).to_have_count(1)
    room_url = page.url
    for mode in ("light", "dark"):
        if mode == "dark":
            page.get_by_role("button", name="Toggle dark mode").click()
        expect(page.locator("html")).to_have_class(re.compile(mode))
        for path in (room_url, "/rooms", "/profile"):
            page.goto(path)
            expect(page.locator("html")).to_have_class(re.compile(mode))
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, (mode, path)


def test_markup_in_room_names_and_descriptions_shows_as_text(new_page):
    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    register(page, unique("mallory"))
    name = f"<img src=x onerror=alert(1)> {unique('')}"
    description = "<script>alert(2)</script><b>bold</b>"
    create_room(page, name, description)
    expect(page.get_by_text(description)).to_be_visible()
    expect(page.locator("a.side-room", has_text=name)).to_be_visible()  # in the sidebar, as text too
    page.goto("/rooms")
    expect(page.get_by_role("main").get_by_text(name)).to_be_visible()
    expect(page.get_by_text(description)).to_be_visible()
    assert page.locator("main img, main script, main b, aside img, aside script, aside b").count() == 0
    assert dialogs == []


def test_markdown_renders_safely_for_the_other_user(new_page):
    alice, bob, _ = two_in_a_room(new_page, "Markdown ")

    composer(alice).fill("**bold** and `code` https://example.com/page <b>raw</b> [bad](javascript:alert(1))")
    composer(alice).press("Enter")
    message = messages(bob).first
    expect(message.locator("strong")).to_have_text("bold")
    expect(message.locator("code")).to_have_text("code")
    link = message.get_by_role("link", name="https://example.com/page")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(message).to_contain_text("<b>raw</b>")
    expect(message).to_contain_text("[bad](javascript:alert(1))")
    assert message.locator("b, script, img, [href^='javascript']").count() == 0


def test_typing_indicator_appears_for_the_other_user_and_clears_on_send(new_page):
    alice, bob, alice_name = two_in_a_room(new_page, "Typing ")

    composer(alice).press_sequentially("hello the")
    expect(bob.locator("#typing")).to_have_text(f"{alice_name} is typing…")
    expect(alice.locator("#typing")).to_have_text("")
    composer(alice).press("Enter")
    expect(messages(bob)).to_have_count(1)
    expect(bob.locator("#typing")).to_have_text("")
