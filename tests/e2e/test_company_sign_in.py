"""Signing in the way a company does, in one real browser run: a new person signs in through the test identity
provider (choosing their username), turns on an authenticator app, adds a passkey, signs out, and signs back in
with the passkey alone; a screenshot of each step is kept with the test's files.

The provider's return lands on PUBLIC_URL (127.0.0.1 here, what administrators register at the provider), and
WebAuthn refuses an IP address as the site: the passkey steps run on localhost, the same server, with the same
session token (the app's session is its token, whichever of its addresses the tab uses)."""

import re

import httpx
import pyotp
from playwright.sync_api import expect

from tests.e2e.test_chat import unique
from tests.e2e.test_passkeys import add_passkey, on_localhost
from tests.support.client import STORAGE_KEY


def test_sso_then_an_app_and_a_passkey_then_the_passkey_alone(browser, app_url, identity_providers, tmp_path):
    sub = unique("corp")
    claims = {"email": f"{sub}@example.test", "email_verified": True, "preferred_username": sub}
    httpx.put(f"{identity_providers['north']}/users/{sub}", json=claims).raise_for_status()
    local = on_localhost(browser, app_url)
    page = local.context.new_page()

    page.goto(f"{app_url}/login")
    page.get_by_role("link", name="Sign in with North ID").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_label("Username")).to_have_value(sub)
    page.screenshot(path=str(tmp_path / "1-choose-username.png"))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))

    page.goto(f"{app_url}/account/two-factor")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_alt_text("QR code for your authenticator app")).to_be_visible()
    page.screenshot(path=str(tmp_path / "2-authenticator-app.png"))
    page.get_by_label("Code from your app").fill(pyotp.TOTP(page.locator("#totp-secret").inner_text()).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have saved them").click()
    expect(page.locator("#totp-status")).to_contain_text("Recovery codes left: 10")

    token = page.evaluate(f"localStorage.getItem({STORAGE_KEY!r})")
    page.close()
    local.bring_to_front()  # WebAuthn answers only a focused page
    local.goto("/login")
    local.evaluate(f"localStorage.setItem({STORAGE_KEY!r}, {token!r})")
    add_passkey(local, "work laptop")
    local.screenshot(path=str(tmp_path / "3-passkey-added.png"))
    local.goto("/account")
    expect(local.locator("#sessions")).to_contain_text("single sign-on (North ID)")
    local.get_by_role("button", name="Log out", exact=True).click()
    expect(local).to_have_url(re.compile(r"/login/?$"))

    local.get_by_role("button", name="Sign in with a passkey").click()
    expect(local).to_have_url(re.compile(r"/rooms/?$"))
    expect(local.get_by_role("complementary").get_by_text(sub, exact=True)).to_be_visible()
    local.goto("/account")
    expect(local.locator("#sessions tbody tr").first).to_contain_text("passkey")
    local.screenshot(path=str(tmp_path / "4-signed-in-with-the-passkey.png"))
