"""Two-factor sign-in in a real browser: set up an authenticator app from the account page (the key read off
the page, as a person types it into an app), keep the recovery codes, sign out, and sign in with the
password and then a code; a recovery code works once."""

import re
from datetime import datetime

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import register, unique


def next_code(secret: str) -> str:
    """The app's code for the next 30-second step (the set-up used this one's; one step ahead is accepted)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now()) + 1)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password123")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login/code/?$"))


def test_set_up_an_app_then_sign_in_with_a_code_and_once_with_a_recovery_code(new_page):
    page = new_page()
    name = unique("twofa")
    register(page, name)
    page.goto("/account")
    expect(page.locator("#two-factor-summary")).to_contain_text("Authenticator app: off.")
    page.get_by_role("link", name="Set them up").click()
    expect(page).to_have_url(re.compile(r"/account/two-factor/?$"))
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_alt_text("QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill("12")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text()
    page.get_by_role("button", name="I have saved them").click()
    expect(codes).to_have_count(0)
    expect(page.locator("#totp-status")).to_contain_text("Recovery codes left: 10")

    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    sign_in(page, name)
    page.get_by_label("Code").fill(next_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    page.goto("/account")
    expect(page.locator("#two-factor-summary")).to_contain_text("Authenticator app: on.")
    expect(page.locator("#sessions")).to_contain_text("password + authenticator app")

    page.get_by_role("button", name="Log out", exact=True).click()
    sign_in(page, name)
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    expect(page.locator("#flash")).to_contain_text("You signed in with a recovery code")
    expect(page.locator("#flash")).to_contain_text("9 codes left")
    page.get_by_role("button", name="Log out", exact=True).click()
    sign_in(page, name)
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    expect(page).to_have_url(re.compile(r"/login/code/?$"))
