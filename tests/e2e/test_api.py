"""The REST API in Chromium: a user makes a token on the account page (with their password; shown once) and a
script's POST with it shows in another user's open room at once; the token's list shows its last use, and Revoke
ends it.
The API's reference page (/api/v1/docs) renders its routes from this server alone."""

import re

from playwright.sync_api import expect

from tests.e2e.test_chat import create_room, messages, register, unique


def test_a_token_made_on_the_account_page_posts_into_a_room_live_until_revoked(new_page):
    owner, reader = new_page(), new_page()
    register(owner, unique("owner"))
    register(reader, unique("reader"))
    create_room(owner, unique("Deploys "))
    slug = owner.url.rstrip("/").rsplit("/", 1)[-1]
    reader.goto(owner.url)
    expect(reader.locator("#messages")).to_be_visible()

    owner.goto("/account")
    panel = owner.locator("#api-tokens")
    panel.get_by_label("Token name").fill("deploy script")
    panel.get_by_label("post", exact=True).check()
    panel.get_by_label("Your current password").fill("password123")
    panel.get_by_role("button", name="Create token").click()
    shown = owner.locator("#new-api-token")
    expect(shown).to_have_value(re.compile(r"^dcrx_[\w-]{43,}$"))
    expect(panel.get_by_label("Your current password")).to_have_value("")
    expect(panel.locator(".api-token")).to_have_count(1)
    expect(panel.locator(".api-token")).to_contain_text("read, post")
    expect(panel.locator(".api-token")).to_contain_text("never")

    headers = {"Authorization": f"Bearer {shown.input_value()}"}
    answer = owner.request.post(f"/api/v1/rooms/{slug}/messages", headers=headers, data={"text": "deployed **v2**"})
    assert answer.status == 201, answer.text()
    expect(messages(reader).last).to_contain_text("deployed v2")
    expect(messages(reader).last.locator("strong")).to_have_text("v2")

    owner.reload()
    expect(panel.locator(".api-token")).not_to_contain_text("never")
    expect(owner.locator("#new-api-token")).to_have_count(0)  # shown once
    panel.get_by_role("button", name="Revoke token deploy script").click()
    expect(panel.locator(".api-token")).to_contain_text("revoked")
    assert owner.request.get("/api/v1/rooms", headers=headers).status == 401


def test_the_api_reference_page_lists_the_routes(new_page):
    page = new_page()
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/rooms/{slug}/messages" in [path.replace("\u200b", "") for path in paths]
