"""Browser notifications for mentions: offered once, shown only while the page is in the background.

Headless Chromium has no notification centre and its pages are always visible, so the page gets a
recording stand-in for `Notification` and a switchable `document.visibilityState` before it loads."""

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import composer, create_room, register, unique

STAND_IN = """
window.__notices = [];
window.__hidden = false;
class RecordingNotification {
  constructor(title, options) { window.__notices.push({ title, body: (options || {}).body }); }
  static requestPermission() {
    RecordingNotification.permission = "granted";
    return Promise.resolve("granted");
  }
}
RecordingNotification.permission = "default";
window.Notification = RecordingNotification;
Object.defineProperty(document, "visibilityState", { get: () => (window.__hidden ? "hidden" : "visible") });
"""


def notices(page: Page) -> list[dict]:
    return page.evaluate("window.__notices")


def test_a_mention_notifies_only_in_the_background_and_after_permission(new_page):
    alice, bob = new_page(), new_page()
    alice.context.add_init_script(STAND_IN)
    alice_name, room_name = unique("alice"), unique("Notify ")
    register(alice, alice_name)
    register(bob, unique("bob"))
    create_room(alice, room_name)
    bob.goto(alice.url)
    expect(bob.get_by_role("heading", name=room_name)).to_be_visible()

    # The offer is the first item of the room's notifications menu.
    menu = alice.locator("#room-notifications")
    offer = alice.get_by_role("menuitem", name="Notify me of mentions")
    menu.click()
    expect(offer).to_be_visible()
    offer.click()
    expect(alice.get_by_role("menu")).to_have_count(0)
    menu.click()
    expect(alice.get_by_role("menuitem", name="Mute room")).to_be_visible()
    expect(offer).to_be_hidden()  # permission granted: not offered again
    alice.keyboard.press("Escape")
    expect(alice.get_by_role("menu")).to_have_count(0)

    composer(bob).fill(f"@{alice_name} while you look")
    composer(bob).press("Enter")
    expect(alice.locator('#messages .message[data-mentioned="true"]')).to_have_count(1)
    alice.wait_for_timeout(500)  # proving a negative: the notice frame has arrived by now
    assert notices(alice) == []  # the page is visible: the highlight is enough

    alice.evaluate("window.__hidden = true")
    composer(bob).fill(f"@{alice_name} are you there?")
    composer(bob).press("Enter")
    alice.wait_for_function("() => window.__notices.length === 1")
    (notice,) = notices(alice)
    assert notice["title"] == f"{bob_name(bob)} mentioned you in {room_name}"
    assert notice["body"] == f"@{alice_name} are you there?"


def bob_name(page: Page) -> str:
    return page.locator('.side-user a[href="/profile"]').inner_text()
