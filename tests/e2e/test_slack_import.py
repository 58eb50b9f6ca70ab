"""Moving in from Slack, in Chromium: an administrator uploads a Slack export on Admin → Import, follows its
progress to the report, and the imported channel reads like the Slack conversation it came from — Slack's markup
as ours, the reaction, the thread with its replies, the image; a person of the export claims their account with
a reset link and finds their private room and conversation; a picture keeps its place before it loads."""

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.test_admin import open_admin
from tests.e2e.test_chat import messages, unique
from tests.e2e.test_joining import set_password_by_link, shown_link
from tests.e2e.test_threads import replies
from tests.support import slack

SCREENSHOTS = os.environ.get("SCREENSHOTS")  # a folder: the pages are saved there to be looked at


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_an_imported_slack_export_reads_like_the_conversation_it_came_from(new_page, engine, tmp_path):
    tag = unique("x")
    export = slack.team_export(tmp_path / f"slack-{tag}.zip", tag=tag)
    chief = open_admin(new_page, engine)
    chief.get_by_role("tab", name="Import").click()
    chief.get_by_label("Choose a Slack export (.zip)").set_input_files(str(export))

    run = chief.locator("#import-run")
    expect(run).to_contain_text(f"slack-{tag}.zip")
    expect(run.get_by_text("imported", exact=True)).to_be_visible()
    counts = chief.locator("#import-counts")
    expect(counts).to_contain_text("13 messages")
    expect(counts).to_contain_text("2 replies in threads")
    expect(counts).to_contain_text("1 file")
    expect(chief.locator("#import-report")).to_contain_text("a message by an unknown user (U0GHOST) was skipped")
    shot(chief, "import-report")

    # The imported #general, as anyone here may read a public room.
    chief.goto(f"/rooms/general{tag}")
    expect(chief.get_by_role("heading", name=f"general{tag}")).to_be_visible()
    expect(messages(chief)).to_have_count(7)
    welcome = messages(chief).first
    expect(welcome).to_contain_text(f"ann{tag}")
    expect(welcome.locator(".mention")).to_have_text(f"@ben{tag}")
    expect(welcome.get_by_role("link", name="the plan")).to_have_attribute("href", "https://example.com/plan")
    expect(welcome.locator("strong")).to_have_text("really")
    expect(welcome.locator("em")).to_have_text("soon")
    expect(welcome.locator(".reaction[data-emoji='👍']")).to_contain_text("2")
    starter = messages(chief).nth(1)
    expect(starter.locator(".thread-summary")).to_contain_text("2 replies")
    image = messages(chief).nth(2).locator(".attachment-thumb")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("naturalWidth", 40)
    expect(messages(chief).nth(3).get_by_text("(edited)")).to_be_visible()
    starter.locator(".thread-summary").click()
    expect(replies(chief)).to_have_count(2)
    expect(replies(chief).first).to_contain_text("Yes, noodles")
    expect(replies(chief).nth(1)).to_contain_text("Count me in")
    shot(chief, "imported-room")

    # Ann, made without a password, claims her account with a reset link and finds what was hers in Slack.
    chief.goto("/admin")
    chief.get_by_label("Search users").fill(f"ann{tag}")
    chief.get_by_role("button", name="Search").click()
    chief.get_by_role("button", name=f"Password-reset link for ann{tag}").click()
    path = shown_link(chief)
    ann = new_page()
    set_password_by_link(ann, path, f"ann{tag}", "ann's new password")
    sidebar = ann.get_by_role("navigation", name="Your rooms")
    expect(sidebar.get_by_text(f"secret-plans{tag}")).to_be_visible()
    expect(sidebar.get_by_text(f"ann{tag}, ben{tag}", exact=True)).to_be_visible()
    sidebar.get_by_text(f"secret-plans{tag}").click()
    expect(messages(ann)).to_have_count(1)
    expect(messages(ann).first).to_contain_text("Only for ann and cat")
    shot(ann, "claimed-account")

    # A picture's box is there before its bytes are: the history does not jump when they come (or never do).
    ann.route("**/thumb/**", lambda route: route.abort())
    ann.goto(f"/rooms/general{tag}")
    unloaded = messages(ann).nth(2).locator(".attachment-thumb")
    expect(unloaded).to_have_js_property("naturalWidth", 0)
    box = unloaded.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (40, 30)
