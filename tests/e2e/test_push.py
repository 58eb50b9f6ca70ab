"""The installable app and its service worker in Chromium: the manifest and icons are served, the account
page's switch (components/push.py) registers /sw.js and reaches the browser's push manager, and a push
delivered to the service worker (through the DevTools protocol, as a push service would) shows the
notification push.py sends, with the room's link."""

import json

from playwright.sync_api import Page, expect

from tests.e2e.test_chat import register, unique


def test_the_app_is_installable_with_its_manifest_and_icons(new_page):
    page: Page = new_page()
    page.goto("/login")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(href)
    assert manifest.ok
    data = manifest.json()
    assert (data["name"], data["start_url"], data["display"]) == ("DjangoChat RX", "/rooms", "standalone")
    for icon in data["icons"]:
        answer = page.request.get(icon["src"])
        assert answer.ok and answer.headers["content-type"] == "image/png", icon
    assert page.request.get("/sw.js").ok


def test_a_push_reaching_the_service_worker_shows_the_mention_with_its_link(new_page):
    page: Page = new_page()
    page.context.grant_permissions(["notifications"])
    register(page, unique("pushy"))
    page.goto("/account")
    expect(page.locator("#push-status")).to_have_text("Off for this browser.")
    # The button reaches the browser's push manager and its answer comes back to the page (headless
    # Chromium has no push service to register with, so the answer is its refusal).
    page.get_by_role("button", name="Turn on for this device").click()
    expect(page.locator("#push-settings").get_by_role("alert")).to_contain_text("This browser could not do it")
    expect(page.locator("#push-status")).to_have_text("Off for this browser.")
    # The switch's state check registered the service worker; wait until it controls nothing but is active.
    page.wait_for_function("navigator.serviceWorker.ready.then(r => !!r.active)")

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if not r.get("isDeleted")]
    origin = page.evaluate("location.origin")
    assert registration["scopeURL"] == origin + "/"
    notice = {"title": "alice mentioned you in #General", "body": "@pushy look", "url": "/rooms/general?message=7"}
    # With no tab of the app open (the service worker leaves a visible tab's notices to the page).
    page.goto("about:blank")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration["registrationId"], "data": json.dumps(notice)},
    )
    page.goto(origin + "/login")
    shown = page.wait_for_function(
        "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.length ? "
        "n.map(x => ({title: x.title, body: x.body, url: x.data.url})) : null)"
    ).json_value()
    assert shown == [{"title": notice["title"], "body": notice["body"], "url": notice["url"]}]
