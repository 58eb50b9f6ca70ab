"""Link previews in Chromium, two people: Alice sends a link to the tests' own site; Bob sees its card (title,
site, description, and a picture served by us, never by the site); Alice takes the card off her message and it
goes from Bob's screen too."""

from playwright.sync_api import expect

from tests.e2e.test_chat import messages, two_in_a_room
from tests.e2e.test_room_experience import send


def test_a_links_card_reaches_the_reader_with_our_picture_and_its_author_removes_it(new_page, preview_site, app_url):
    alice, bob, _ = two_in_a_room(new_page, "Previews ")
    link = f"{preview_site.url}/og"
    send(alice, f"the plan: {link}")

    card = messages(bob).last.locator(f'.link-preview[data-url="{link}"]')
    expect(card).to_be_visible()
    expect(card.locator(".link-preview-title")).to_have_text("The <b>plan</b>")  # text, never markup
    expect(card.locator(".link-preview-site")).to_have_text("Plans & Co")
    expect(card.locator(".link-preview-description")).to_contain_text("Everything about the plan")
    picture = card.locator("img.link-preview-image")
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.naturalWidth") == 40
    source = picture.evaluate("img => img.currentSrc")
    assert source.startswith(app_url) and str(preview_site.port) not in source, source
    expect(card.get_by_role("button", name="Remove preview")).to_have_count(0)  # not Bob's message

    mine = messages(alice).last.locator(".link-preview")
    expect(mine).to_be_visible()
    mine.get_by_role("button", name="Remove preview").click()
    expect(messages(bob).last.locator(".link-preview")).to_have_count(0)
    expect(messages(alice).last.locator(".link-preview")).to_have_count(0)
    expect(messages(bob).last).to_contain_text("the plan:")
