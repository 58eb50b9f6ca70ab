"""Downloading one's messages from the account page: a click saves a JSON file of exactly what the
user wrote, oldest first, and the link behind it works only once."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.test_chat import composer, create_room, messages, register, unique


def test_a_click_on_the_account_page_downloads_the_users_messages_as_json(new_page):
    page = new_page()
    name = unique("export")
    register(page, name)
    room_name = unique("Export room ")
    create_room(page, room_name)
    for body in ("first message", 'second, with "quotes" and ünïcode'):
        composer(page).fill(body)
        composer(page).press("Enter")
    expect(messages(page)).to_have_count(2)
    other = new_page()
    register(other, unique("other"))
    other.goto(page.url)
    composer(other).fill("not mine")
    composer(other).press("Enter")
    expect(messages(page)).to_have_count(3)

    page.get_by_role("link", name="Account").click()
    expect(page).to_have_url(re.compile(r"/account/?$"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my messages (JSON)").click()
    download = info.value

    assert re.fullmatch(r"djangochat-my-messages-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    exported = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert exported["user"]["username"] == name
    assert [m["body"] for m in exported["messages"]] == ["first message", 'second, with "quotes" and ünïcode']
    assert {m["room_name"] for m in exported["messages"]} == {room_name}
    assert page.request.get(download.url).status == 404  # the link was good for one download

    with page.expect_download() as again:
        page.get_by_role("button", name="Download my messages (JSON)").click()
    assert json.loads(Path(again.value.path()).read_text(encoding="utf-8"))["messages"] == exported["messages"]
