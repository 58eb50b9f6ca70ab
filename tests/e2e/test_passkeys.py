"""Passkeys in a real browser, with Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain):
add a passkey on the two-factor page, sign out, sign in with the passkey alone; then, with an authenticator
app on as well, the code step after the password takes the passkey instead of a code. The page is opened on
localhost: WebAuthn refuses an IP address as the site."""

import re
from urllib.parse import urlsplit

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import register, unique

violations: list[str] = []


def on_localhost(browser, app_url: str) -> Page:
    """A page in a fresh context on http://localhost:<port>, with a virtual authenticator that verifies its user."""
    port = urlsplit(app_url).port
    context = browser.new_context(base_url=f"http://localhost:{port}")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def add_passkey(page: Page, name: str) -> None:
    page.goto("/account/two-factor")
    page.get_by_label("Passkey name").fill(name)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_contain_text(f"Passkey “{name}” added")
    expect(page.locator(".passkey-row")).to_contain_text(name)


def test_add_a_passkey_then_sign_in_with_it_alone_and_as_the_second_factor(browser, app_url):
    page = on_localhost(browser, app_url)
    name = unique("pk")
    register(page, name)
    add_passkey(page, "laptop")
    page.goto("/account")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?$"))

    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    page.goto("/account")
    expect(page.locator("#two-factor-summary")).to_contain_text("Passkeys: 1.")
    expect(page.locator("#sessions tbody tr").first).to_contain_text("passkey")
    expect(page.locator("#sessions")).not_to_contain_text("passkey + passkey")

    # With an authenticator app as well, the password leads to the code step, where the passkey will do.
    page.goto("/account/two-factor")
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("button", name="I have saved them").click()
    page.goto("/account")
    page.get_by_role("button", name="Log out", exact=True).click()
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login/code/?$"))
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    page.goto("/account/two-factor")
    expect(page.locator(".passkey-row")).to_contain_text("used")
    page.context.close()
    assert violations == [], "\n".join(violations)
