"""Incoming webhooks in Chromium: the room's owner makes one in the settings panel and copies its URL; a
POST to it (as curl would send it) shows in another user's open room at once, as the webhook's bot."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import create_room, messages, register, unique


def test_a_webhook_made_in_the_settings_panel_posts_into_the_room_live(new_page):
    owner, reader = new_page(), new_page()
    register(owner, unique("owner"))
    register(reader, unique("reader"))
    create_room(owner, unique("Deploys "))
    reader.goto(owner.url)
    expect(reader.locator("#messages")).to_be_visible()

    owner.locator("#settings-button").click()
    panel = owner.locator("#webhooks")
    panel.get_by_label("Webhook name").fill("CI builds")
    panel.get_by_role("button", name="Create webhook").click()
    url = owner.locator("#webhook-url")
    expect(url).to_have_value(re.compile(r"/api/v1/webhooks/[\w-]{43,}$"))
    expect(panel.locator(".webhook")).to_contain_text("ci-builds")

    hook = url.input_value()
    answer = owner.request.post(hook, data={"text": "build #12 passed"})
    assert answer.status == 200 and answer.json()["ok"] is True
    expect(messages(reader).last).to_contain_text("build #12 passed")
    expect(messages(reader).last.locator(".message-author")).to_have_text(re.compile(r"^ci-builds-webhook"))
    reader.reload()  # a page opened after the webhook was made marks its bot
    expect(messages(reader).last.locator(".bot-mark")).to_have_text("bot")

    panel.get_by_role("button", name="Revoke webhook CI builds").click()
    expect(panel.locator(".webhook")).to_have_count(0)
    assert owner.request.post(hook, data={"text": "again"}).status == 404
