"""The room, as two or three people use it in Chromium: scroll-back, editing and deleting, mentions,
presence, unread counts, and the message box's small comforts."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from djangochat_rx import settings
from djangochat_rx.domain import accounts, rooms
from djangochat_rx.domain.messages import post_message
from djangochat_rx.models import Message, User, utcnow
from djangochat_rx.state.room import RoomState
from tests.e2e.test_chat import composer, create_room, messages, register, two_in_a_room, unique
from tests.support.client import STORAGE_KEY, ReflexTab

PASSWORD = "password123"
WINDOW = settings.ROOM_WINDOW
# Seeded messages alternate between two authors in runs (three by the first, two by the second),
# so consecutive rows group and ungroup.
RUN = (0, 0, 0, 1, 1)
NOT_MINE = "You can only change your own messages."
PHONE = {"width": 375, "height": 740}
# The rooms list's count badge for a room with one message, all read (today "1 messages").
ONE_MESSAGE = re.compile(r"(?<!\d)1 messages?$")
AT_BOTTOM = "(log) => log.scrollHeight - log.scrollTop - log.clientHeight < 2"
TO_TOP = "(log) => { log.scrollTop = 0; }"


def author_of(seq: int) -> int:
    return RUN[(seq - 1) % len(RUN)]


def seed_history(engine: Engine, authors: tuple[str, str], count: int, yesterday: int = 0) -> rooms.RoomView:
    """A new room with `count` messages by `authors` (by RUN), the first `yesterday` of them dated a day back.

    Seeded before anyone opens the room: the server caches an open room's newest messages."""
    with Session(engine, expire_on_commit=False) as db:
        ids = [db.exec(select(User.id).where(User.username == name)).one() for name in authors]
        room = rooms.create_room(db, unique("History "), "", ids[0])
        for seq in range(1, count + 1):
            post_message(db, room.id, ids[author_of(seq)], f"history {seq}")
        db.execute(
            update(Message)
            .where(col(Message.room_id) == room.id, col(Message.seq) <= yesterday)
            .values(created_at=utcnow() - timedelta(days=1))
        )
        db.commit()
    return room


def reader_and_author(new_page, engine: Engine) -> tuple[Page, str, str]:
    """A reader in the browser and an author who exists only in the database: (reader page, author, reader)."""
    reader, reader_name, author_name = new_page(), unique("bob"), unique("alice")
    register(reader, reader_name)
    with Session(engine, expire_on_commit=False) as db:
        accounts.register(db, author_name, PASSWORD, PASSWORD)
    return reader, author_name, reader_name


def open_at_bottom(page: Page, slug: str, shown: int) -> Locator:
    """Open the room and wait until it shows `shown` messages scrolled to the newest; returns the history log."""
    page.goto(f"/rooms/{slug}")
    expect(messages(page)).to_have_count(shown)
    log = page.locator("#messages")
    page.wait_for_function(AT_BOTTOM, arg=log.element_handle())
    return log


def send(page: Page, text: str) -> None:
    """Send `text` from the page's message box and wait until the box is cleared."""
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(composer(page)).to_have_value("")


def slug_of(page: Page) -> str:
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def room_card(page: Page, slug: str) -> Locator:
    return page.locator(f'a.room-card[data-room="{slug}"]')


def test_long_history_scrolls_back_in_place_with_day_separators_grouping_and_jump_to_latest(new_page, engine):
    alice, bob = new_page(), new_page()
    names = (unique("alice"), unique("bob"))
    register(alice, names[0])
    register(bob, names[1])
    history = 2 * WINDOW + 30
    # Bob wrote the newest message, so he has read it all: no "New messages" divider between rows.
    assert author_of(history) == 1
    room = seed_history(engine, names, history, yesterday=2)
    alice.goto(f"/rooms/{room.slug}")
    log, rows = open_at_bottom(bob, room.slug, WINDOW), messages(bob)
    expect(rows.first).to_have_attribute("data-seq", str(history - WINDOW + 1))

    # Scrolled to the top, the page loads the messages before, and the row that was on top keeps its
    # place in the history: its header line, since the row's day separator above it goes once earlier
    # rows load. Measured from the history's own top: the presence line filling in above the history
    # half a second after the room opened moves the whole history, not the reading position in it.
    y_at_top = log.evaluate(
        """(log) => { log.scrollTop = 0;
            return log.querySelector('.message-header').getBoundingClientRect().y - log.getBoundingClientRect().y; }"""
    )
    expect(rows).to_have_count(2 * WINDOW)
    expect(rows.first).to_have_attribute("data-seq", str(history - 2 * WINDOW + 1))
    y_after = log.evaluate(
        f"""(log) => log.querySelector('.message[data-seq="{history - WINDOW + 1}"] .message-header')
            .getBoundingClientRect().y - log.getBoundingClientRect().y"""
    )
    assert abs(y_after - y_at_top) <= 3, (y_after, y_at_top)
    # The rest by the button itself; scrolling up again at once is
    # test_scrolling_to_the_top_again_right_after_a_load_loads_more.
    bob.get_by_role("button", name="Load earlier messages").click()
    expect(rows).to_have_count(history)
    expect(bob.locator("#load-older")).to_have_count(0)

    # Day separators ("Yesterday", "Today", drawn by CSS) and grouping, over the whole history.
    drawn = log.evaluate(
        """(log) => [...log.querySelectorAll('.message')].map((row) => [
            Number(row.dataset.seq), row.dataset.day || null, row.dataset.grouped === 'true',
            getComputedStyle(row, '::before').content])"""
    )
    assert [seq for seq, *_ in drawn] == list(range(1, history + 1))
    days = {1: "Yesterday", 3: "Today"}
    for seq, day, grouped, before in drawn:
        assert (day, before) == (days.get(seq), f'"{days[seq]}"' if seq in days else "none"), seq
        assert grouped == (seq > 1 and seq not in days and author_of(seq) == author_of(seq - 1)), seq
    expect(bob.locator('.message[data-seq="2"] .message-author')).to_be_hidden()
    expect(bob.locator('.message[data-seq="4"] .message-author')).to_have_text(names[1])

    # Scrolled up, a new message shows "Jump to latest" instead of moving the page.
    jump = bob.locator("#jump-latest")
    expect(jump).to_be_hidden()
    send(alice, "fresh news")
    expect(jump).to_be_visible()
    expect(rows.last).to_contain_text("fresh news")
    expect(rows.last).not_to_be_in_viewport()
    jump.click()
    expect(jump).to_be_hidden()
    expect(rows.last).to_be_in_viewport()
    bob.wait_for_function(AT_BOTTOM, arg=log.element_handle())


def test_text_being_read_stays_put_when_earlier_messages_load_above_it(new_page, engine):
    """The top row loses its "Today" separator once earlier messages of the same day load above it;
    the row's box is kept in place, so its text must not jump up by the separator's height."""
    bob, alice_name, bob_name = reader_and_author(new_page, engine)
    room = seed_history(engine, (alice_name, bob_name), WINDOW + 10)
    log = open_at_bottom(bob, room.slug, WINDOW)
    # Measured from the history's own top, as in the test above: a line filling in above the history
    # (presence) moves the whole history, not the reading position in it.
    y_at_top = log.evaluate(
        """(log) => { log.scrollTop = 0;
            return log.querySelector('.message-body').getBoundingClientRect().y - log.getBoundingClientRect().y; }"""
    )
    expect(messages(bob)).to_have_count(WINDOW + 10)
    y_after = log.evaluate(
        """(log) => log.querySelector('.message[data-seq="11"] .message-body').getBoundingClientRect().y
            - log.getBoundingClientRect().y"""
    )
    assert abs(y_after - y_at_top) <= 3, (y_after, y_at_top)


def test_scrolling_to_the_top_again_right_after_a_load_loads_more(new_page, engine):
    """Right after a load, "Load earlier messages" may come into view again before RoomLog would ask again;
    it must load anyway (an IntersectionObserver does not report an element that stays in view)."""
    bob, alice_name, bob_name = reader_and_author(new_page, engine)
    room = seed_history(engine, (alice_name, bob_name), 2 * WINDOW + 10)
    log = open_at_bottom(bob, room.slug, WINDOW)
    log.evaluate(TO_TOP)
    expect(messages(bob)).to_have_count(2 * WINDOW)
    log.evaluate(TO_TOP)
    expect(messages(bob)).to_have_count(2 * WINDOW + 10)


def test_author_edits_and_deletes_live_while_others_get_no_controls(new_page):
    alice, bob, alice_name = two_in_a_room(new_page, "Edits ")
    send(alice, "keep this one")
    send(alice, "tpyo here")
    expect(messages(bob)).to_have_count(2)
    kept, typo = messages(bob).nth(0), messages(bob).nth(1)

    # Up arrow in the empty box opens the last own message; Enter saves it for everyone.
    editor = alice.get_by_role("textbox", name="Edit message")
    composer(alice).press("ArrowUp")
    expect(editor).to_have_value("tpyo here")
    editor.fill("typo fixed")
    editor.press("Enter")
    expect(typo.locator(".message-body")).to_have_text("typo fixed")
    expect(typo).to_contain_text("(edited)")
    expect(kept).not_to_contain_text("(edited)")

    # Escape closes the editor and keeps the saved text.
    composer(alice).click()
    composer(alice).press("ArrowUp")
    expect(editor).to_have_value("typo fixed")
    editor.fill("never saved")
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(composer(alice)).to_be_focused()
    # Had Escape saved, Bob would see that before Alice's next message.
    send(alice, "after escape")
    expect(messages(bob)).to_have_count(3)
    expect(typo.locator(".message-body")).to_have_text("typo fixed")

    # Cancel in the dialog keeps the first message; Delete removes the second for Bob too.
    dialog = alice.get_by_role("alertdialog", name="Delete this message?")
    for row, button in ((messages(alice).nth(0), "Cancel"), (messages(alice).nth(1), "Delete")):
        row.hover()
        row.get_by_role("button", name="Delete message").click()
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name=button, exact=True).click()
        expect(dialog).to_be_hidden()
    expect(typo.locator(".message-deleted")).to_have_text("message deleted")
    expect(typo).to_have_attribute("data-deleted", "true")
    expect(typo).not_to_contain_text("typo fixed")
    # The cancelled delete came before the delete Bob has now seen.
    expect(kept.locator(".message-body")).to_have_text("keep this one")

    send(bob, "my own")
    expect(messages(bob)).to_have_count(4)
    mine = messages(bob).last
    mine.hover()
    expect(mine.get_by_role("button", name="Edit message")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete message")).to_be_visible()
    theirs = bob.locator(f'#messages .message[data-author="{alice_name}"]')
    expect(theirs).to_have_count(3)
    # Another's messages offer no edit or delete, only what every member may do: react, reply, pin, forward and
    # save; a deleted one offers nothing. The one toolbar follows the pointer: one message's tools at a time.
    toolbar = bob.get_by_role("toolbar", name="Message actions")
    for row in (kept, theirs.nth(2)):
        row.hover()
        expect(row.get_by_role("toolbar", name="Message actions")).to_be_visible()
        names = (
            row.get_by_role("toolbar")
            .get_by_role("button")
            .evaluate_all(
                "(buttons) => buttons.filter((b) => b.checkVisibility()).map((b) => b.getAttribute('aria-label'))"
            )
        )
        assert names == [
            "Add reaction",
            "Reply in thread",
            "Pin message",
            "Forward message",
            "Remind me",
            "Select messages",
            "Save for later",
        ], names
        expect(toolbar).to_have_count(1)
    typo.hover()
    expect(typo.locator(".message-tools")).to_be_attached()
    expect(toolbar).to_be_hidden()
    # From the keyboard: focus on a message brings its tools, next in the Tab order after the message's links.
    bob.mouse.move(0, 0)
    expect(typo.locator(".message-tools")).to_have_count(0)
    mine.focus()
    expect(mine.get_by_role("toolbar", name="Message actions")).to_be_visible()
    for _ in range(4):
        bob.keyboard.press("Tab")
        if bob.evaluate("document.activeElement.dataset.tool") == "react":
            break
    expect(mine.get_by_role("button", name="Add reaction")).to_be_focused()


def test_the_editor_opens_with_the_caret_after_the_text(new_page):
    """Up arrow in the empty box, or the pencil, opens one's message for editing: typing adds to its end."""
    page = new_page()
    register(page, unique("carol"))
    create_room(page, unique("Caret "))
    send(page, "first draft")
    editor = page.get_by_role("textbox", name="Edit message")

    composer(page).press("ArrowUp")
    expect(editor).to_be_focused()
    page.keyboard.type(" and more")
    expect(editor).to_have_value("first draft and more")
    editor.press("Escape")
    expect(editor).to_have_count(0)

    row = messages(page).last
    row.hover()
    row.get_by_role("button", name="Edit message").click()
    expect(editor).to_be_focused()
    page.keyboard.type("!")
    expect(editor).to_have_value("first draft!")
    editor.press("Enter")
    expect(row.locator(".message-body")).to_have_text("first draft!")


async def _change_as(base_url: str, token: str, slug: str, message_id: int) -> tuple[str, str]:
    """Bob's own session on a raw socket: try to edit, then to delete, someone else's message."""

    async def attempt(*calls: tuple[str, dict]) -> str:
        tab = ReflexTab(base_url, {STORAGE_KEY: token})
        await tab.open(f"/rooms/{slug}")
        try:
            await tab.wait_for(lambda: tab.var(RoomState, "status") == "ready")
            for handler, payload in calls:
                await tab.call(RoomState, handler, **payload)
            return await tab.wait_for(lambda: tab.var(RoomState, "error"))
        finally:
            await tab.close()

    edit = await attempt(("start_edit", {"message_id": message_id}), ("save_edit", {"form": {"text": "hijacked"}}))
    delete = await attempt(("ask_delete", {"message_id": message_id}), ("confirm_delete", {}))
    return edit, delete


def test_server_refuses_to_change_another_users_message_sent_over_the_socket(new_page, app_url):
    alice, bob, _ = two_in_a_room(new_page, "Refusal ")
    send(alice, "alice's words")
    expect(messages(bob)).to_have_count(1)
    message_id = int(messages(bob).first.get_attribute("data-message-id"))
    # Reflex keeps the token in localStorage as the bare string (not JSON-encoded).
    token = bob.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    assert token

    # Playwright's sync API owns this thread's event loop: the socket client gets a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        refusals = pool.submit(asyncio.run, _change_as(app_url, token, slug_of(bob), message_id)).result(60)
    assert refusals == (NOT_MINE, NOT_MINE)
    # Anything the raw socket had changed would reach Alice before this later message.
    send(bob, "after the attempts")
    expect(messages(alice)).to_have_count(2)
    original = messages(alice).first
    expect(original.locator(".message-body")).to_have_text("alice's words")
    expect(original).to_have_attribute("data-deleted", "false")
    expect(original).not_to_contain_text("(edited)")


def test_mention_picker_highlights_only_the_mentioned_user_and_marks_the_room_in_her_list(new_page):
    alice, bob, carol = new_page(), new_page(), new_page()
    alice_name = unique("alice")
    register(alice, alice_name)
    register(bob, unique("bob"))
    register(carol, unique("carol"))
    create_room(alice, unique("Mentions "))
    room_url, slug = alice.url, slug_of(alice)
    for page in (bob, carol):
        page.goto(room_url)
        expect(composer(page)).to_be_visible()

    box = composer(bob)
    box.press_sequentially(f"lunch @{alice_name[:-1]}")
    picker = bob.get_by_role("listbox", name="Mention someone")
    expect(picker.get_by_role("option")).to_have_text([f"@{alice_name}"])
    box.press("Enter")
    expect(picker).to_have_count(0)
    expect(box).to_have_value(f"lunch @{alice_name} ")
    box.press_sequentially("today?")
    box.press("Enter")

    for page, mentioned, shadow in ((alice, "true", re.compile(r"inset")), (carol, "false", "none")):
        row = messages(page).last
        expect(row.locator("span.mention")).to_have_text(f"@{alice_name}")
        expect(row).to_have_attribute("data-mentioned", mentioned)
        expect(row).to_have_css("box-shadow", shadow)

    # Alice's rooms list in another tab: the mention she saw is read; a new one while she is away is marked.
    lobby = alice.context.new_page()
    lobby.goto("/rooms")
    card = room_card(lobby, slug)
    expect(card).to_contain_text(ONE_MESSAGE)
    expect(card.locator(".mention-mark")).to_have_count(0)
    alice.goto("/profile")
    expect(alice.get_by_role("heading", name=alice_name)).to_be_visible()
    send(bob, f"@{alice_name} are you there?")
    expect(card.locator(".mention-mark")).to_have_text("@ mentioned")
    expect(card.locator(".unread-count")).to_have_text("1 unread")

    alice.goto(room_url)
    expect(messages(alice).last).to_have_attribute("data-mentioned", "true")
    expect(card.locator(".mention-mark")).to_have_count(0)
    expect(card.locator(".unread-count")).to_have_count(0)


def test_presence_in_the_room_and_the_rooms_list_follows_people_coming_and_going(new_page):
    alice, bob, carol = new_page(), new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    register(alice, alice_name)
    register(bob, bob_name)
    register(carol, unique("carol"))
    create_room(alice, unique("Presence "))
    room_url, slug = alice.url, slug_of(alice)
    present = alice.locator("#present .present-names")  # the names (the faces beside them show initials)
    expect(present).to_have_text(f"1 here: {alice_name}")
    card = room_card(carol, slug)
    expect(card).to_contain_text("1 online")

    bob.goto(room_url)
    expect(present).to_have_text(f"2 here: {alice_name}, {bob_name}")
    expect(bob.locator("#present .present-names")).to_have_text(f"2 here: {alice_name}, {bob_name}")
    expect(card).to_contain_text("2 online")

    bob.context.close()
    expect(present).to_have_text(f"1 here: {alice_name}")
    expect(card).to_contain_text("1 online")
    alice.goto("/profile")
    expect(card).not_to_contain_text("online")


def test_unread_messages_show_live_in_the_list_and_as_a_divider_in_the_room(new_page):
    alice, bob = new_page(), new_page()
    alice_name = unique("alice")
    register(alice, alice_name)
    register(bob, unique("bob"))
    create_room(alice, unique("Unread "))
    room_url, slug = alice.url, slug_of(alice)
    send(alice, "before you came")
    bob.goto(room_url)
    expect(messages(bob)).to_have_count(1)
    bob.goto("/rooms")
    card = room_card(bob, slug)
    expect(card.locator(".room-preview")).to_have_text(f"{alice_name}: before you came")
    expect(card).to_contain_text(ONE_MESSAGE)
    expect(card.locator(".unread-count")).to_have_count(0)

    for text in ("one", "two", "three"):
        send(alice, text)
    expect(card.locator(".unread-count")).to_have_text("3 unread")
    expect(card.locator(".room-preview")).to_have_text(f"{alice_name}: three")

    card.click()
    expect(messages(bob)).to_have_count(4)
    divider = bob.locator("#new-messages")
    expect(divider).to_have_text("New messages")
    expect(bob.locator(".message:has(+ #new-messages) .message-body")).to_have_text("before you came")
    expect(bob.locator("#new-messages + .message .message-body")).to_have_text("one")

    bob.go_back()
    expect(card).to_contain_text("4 messages")
    expect(card.locator(".unread-count")).to_have_count(0)


def test_message_box_newlines_drafts_per_room_and_counter(new_page):
    page = new_page()
    register(page, unique("writer"))
    first_room, second_room = unique("Drafts A "), unique("Drafts B ")
    create_room(page, first_room)
    box = composer(page)

    box.press_sequentially("line one")
    box.press("Shift+Enter")
    box.press_sequentially("line two")
    expect(box).to_have_value("line one\nline two")
    box.press("Enter")
    expect(messages(page)).to_have_count(1)
    body = messages(page).first.locator(".message-body")
    expect(body.locator("br")).to_have_count(1)
    assert body.inner_text() == "line one\nline two"

    box.fill("half-written thought")
    page.get_by_role("link", name="All rooms", exact=True).click()
    create_room(page, second_room)
    expect(box).to_have_value("")
    page.get_by_role("link", name="All rooms", exact=True).click()
    page.locator("a.room-card", has_text=first_room).click()
    expect(page.get_by_role("heading", name=first_room)).to_be_visible()
    expect(box).to_have_value("half-written thought")

    counter = page.locator("#message-counter")
    box.fill("x" * 3200)
    expect(counter).to_have_text("")
    box.fill("x" * 3300)
    expect(counter).to_have_text("3300 / 4000")


def test_message_box_and_send_button_fit_on_a_phone_screen(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    register(page, unique("phone"))
    create_room(page, unique("Pocket "))
    send(page, "hi")
    expect(composer(page)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_in_viewport(ratio=1)


def test_room_page_on_a_phone_has_no_sideways_scroll_and_works_by_keyboard_and_in_both_themes(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    register(page, unique("phone"))
    create_room(page, unique("Pocket "))
    send(page, "https://example.com/" + "long-path-" * 30)
    send(page, "```\n" + "wide code " * 40 + "\n```")
    expect(messages(page)).to_have_count(2)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    send_button = page.get_by_role("button", name="Send", exact=True)

    html = page.locator("html")
    toggle = page.get_by_role("button", name="Toggle dark mode")
    expect(html).not_to_have_class(re.compile("dark"))
    theme = page.locator(".radix-themes").first
    light = theme.evaluate("(theme) => getComputedStyle(theme).backgroundColor")
    toggle.click()
    expect(html).to_have_class(re.compile("dark"))
    expect(theme).not_to_have_css("background-color", light)
    toggle.click()
    expect(html).not_to_have_class(re.compile("dark"))

    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "message":
            break
    expect(composer(page)).to_be_focused()
    page.keyboard.press("Tab")
    expect(send_button).to_be_focused()

    buttons = page.evaluate(
        """() => [...document.querySelectorAll('button')].filter((b) => b.checkVisibility()).map((b) =>
            [(b.getAttribute('aria-label') || b.textContent).trim(), b.outerHTML.slice(0, 120)])"""
    )
    assert len(buttons) >= 6, buttons
    assert [markup for name, markup in buttons if not name] == []


def test_message_box_shrinks_back_after_a_long_message_is_sent(new_page):
    """The box grows with its text (Reflex's auto_height, on each input event); sending clears it with
    rx.set_value, which fires no input event, so it must still end up one line high again."""
    page = new_page()
    register(page, unique("writer"))
    create_room(page, unique("Tall box "))
    box = composer(page)
    empty = box.evaluate("(box) => box.offsetHeight")
    box.fill("\n".join(f"line {i}" for i in range(12)))
    assert box.evaluate("(box) => box.offsetHeight") > 3 * empty
    box.press("Enter")
    expect(messages(page)).to_have_count(1)
    expect(box).to_have_value("")
    # Draft (assets/draft.js) shrinks the box when the server's write empties it.
    page.wait_for_function("([box, empty]) => box.offsetHeight <= empty + 2", arg=[box.element_handle(), empty])
