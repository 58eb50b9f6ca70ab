"""Threads in Chromium with three people: one replies from a message's Reply button in the side panel, the
author sees "1 reply" and the sidebar's Threads count live and reads the thread, a third sends a reply to
the room too (a quote that jumps to the original), a follower with the panel closed finds the unread reply
on the Threads page; on a phone the panel is a bottom sheet."""

import os
import re

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique

# SCREENSHOTS=<folder> saves what the test saw (never committed).
SHOTS = os.environ.get("SCREENSHOTS", "")


def panel(page: Page):
    return page.locator("#thread-panel")


def replies(page: Page):
    return page.locator("#thread-replies .message")


def threads_badge(page: Page):
    return page.locator(".sidebar .side-threads .side-unread")


def reply(page: Page, text: str, also_to_room: bool = False) -> None:
    box = panel(page).get_by_role("textbox", name="Reply")
    box.fill(text)
    if also_to_room:
        panel(page).get_by_role("checkbox", name="Also send to the room").check()
    panel(page).get_by_role("button", name="Reply", exact=True).click()
    expect(box).to_have_value("")


def test_a_thread_conversation_with_three_people(new_page):
    pages = [new_page(), new_page(), new_page()]
    names = [unique(name) for name in ("ann", "ben", "cat")]
    for page, name in zip(pages, names, strict=True):
        register(page, name)
    ann, ben, cat = pages
    create_room(ann, unique("Threads "))
    composer(ann).fill("release on friday?")
    composer(ann).press("Enter")
    expect(messages(ann)).to_have_count(1)
    for page in (ben, cat):
        page.goto(ann.url)
        expect(messages(page)).to_have_count(1)

    # Ben answers in the thread: the panel opens beside the room, his reply appears in it, not in the room.
    messages(ben).first.hover()
    messages(ben).first.get_by_role("button", name="Reply in thread").click()
    expect(panel(ben)).to_be_visible()
    expect(panel(ben).locator(".thread-head")).to_contain_text("release on friday?")
    reply(ben, "fine by me")
    expect(replies(ben)).to_have_count(1)
    expect(replies(ben).first).to_contain_text("fine by me")
    expect(messages(ben)).to_have_count(1)

    # Ann, who wrote the message, sees "1 reply" under it and one unread reply in Threads, live.
    summary = messages(ann).first.locator(".thread-summary")
    expect(summary).to_contain_text("1 reply")
    expect(summary).to_contain_text("last reply")
    expect(threads_badge(ann)).to_have_text("1")
    summary.click()
    expect(replies(ann)).to_have_count(1)
    expect(threads_badge(ann)).to_have_count(0)
    expect(panel(ann).get_by_role("button", name="Following")).to_be_visible()

    # Ben closes his panel; Cat replies and sends it to the room too.
    panel(ben).get_by_role("button", name="Close thread").click()
    expect(panel(ben)).to_have_count(0)
    messages(cat).first.locator(".thread-summary").click()
    expect(replies(cat)).to_have_count(1)
    reply(cat, "shipping it", also_to_room=True)
    expect(replies(ann)).to_have_count(2)  # Ann's open panel gets it live
    for page in pages:
        expect(messages(page)).to_have_count(2)
        quoted = messages(page).nth(1).locator(".message-quote")
        expect(quoted).to_contain_text(names[0])
        expect(quoted).to_contain_text("release on friday?")
        expect(messages(page).first.locator(".thread-summary")).to_contain_text("2 replies")
    expect(threads_badge(ben)).to_have_text("1")  # he follows (he replied) and his panel is closed
    expect(threads_badge(ann)).to_have_count(0)  # her panel showed it
    if SHOTS:
        ann.screenshot(path=f"{SHOTS}/thread-panel.png")
        ann.emulate_media(color_scheme="dark")
        ann.screenshot(path=f"{SHOTS}/thread-panel-dark.png")

    # The quote jumps to the original.
    messages(cat).nth(1).locator(".message-quote").click()
    expect(cat).to_have_url(re.compile(r"\?message=\d+$"))
    expect(messages(cat).first).to_have_attribute("data-target", "true")

    # Ben finds the unread reply on the Threads page; opening it there reads it.
    ben.locator(".sidebar .side-threads").click()
    expect(ben).to_have_url(re.compile(r"/threads$"))
    listed = ben.locator("#threads .thread-link")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("release on friday?")
    expect(listed.first).to_contain_text("1 new")
    listed.first.click()
    expect(ben).to_have_url(re.compile(r"\?thread=\d+$"))
    expect(replies(ben)).to_have_count(2)
    expect(replies(ben).nth(1)).to_contain_text("shipping it")
    expect(threads_badge(ben)).to_have_count(0)

    # On a phone the thread is a bottom sheet over the room, full width.
    ben.set_viewport_size({"width": 375, "height": 700})
    expect(panel(ben)).to_be_visible()
    box = panel(ben).bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == 375
    assert abs(box["y"] + box["height"] - 700) < 1
    reply(ben, "see you friday")
    expect(replies(ann)).to_have_count(3)  # her panel is still open
    expect(messages(cat).first.locator(".thread-summary")).to_contain_text("3 replies")  # Cat's closed with the jump
    if SHOTS:
        ben.screenshot(path=f"{SHOTS}/thread-375.png")
        ben.emulate_media(color_scheme="dark")
        ben.screenshot(path=f"{SHOTS}/thread-375-dark.png")
