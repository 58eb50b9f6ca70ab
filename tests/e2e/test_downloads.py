"""Downloads in Chromium: a click on the account page saves a JSON file of exactly what the user
wrote, oldest first, and the link behind it works only once; an administrator saves any room,
private ones too, from the admin area, and the audit log shows it."""

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session

from djangochat_rx.domain import admin
from tests.e2e.test_chat import composer, create_room, messages, register, unique


def send(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")
    expect(composer(page)).to_have_value("")


def test_a_click_on_the_account_page_downloads_the_users_messages_as_json(new_page):
    page = new_page()
    name = unique("export")
    register(page, name)
    room_name = unique("Export room ")
    create_room(page, room_name)
    for body in ("first message", 'second, with "quotes" and ünïcode'):
        send(page, body)
    other = new_page()
    register(other, unique("other"))
    other.goto(page.url)
    send(other, "not mine")
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


def test_an_admin_exports_a_private_room_from_the_admin_area(new_page, engine):
    member = new_page()
    register(member, unique("member"))
    member.get_by_label("Private: only people you invite can see it").check()
    room_name = unique("Private export ")
    create_room(member, room_name)
    send(member, "members only")
    expect(messages(member)).to_have_count(1)

    root, root_name = new_page(), unique("root")
    register(root, root_name)
    with Session(engine) as db:
        admin.promote(db, root_name)
    root.reload()
    root.get_by_role("link", name="Admin").click()
    root.get_by_role("tab", name="Rooms").click()
    with root.expect_download() as info:
        root.get_by_role("button", name=f"Export {room_name} as JSON").click()

    assert info.value.suggested_filename.startswith("djangochat-room-private-export-")
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert (exported["room"]["name"], exported["room"]["kind"]) == (room_name, "private")
    assert [m["body"] for m in exported["messages"]] == ["members only"]
    root.reload()  # the audit row is written when the file is fetched, after the page listed the log
    root.get_by_role("tab", name="Audit log").click()
    expect(root.locator("#audit tbody tr").filter(has_text="room.export")).to_have_count(1)
