"""Single sign-on in a real browser: two OpenID Connect providers' buttons side by side on the login page; a
new person signs in through one and gets an account, signs out (here and, offered, at the provider), then
signs in through the other (same verified address) into the same account; the account page says how each
session was opened."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import unique


def through(page: Page, button: str, sub: str) -> None:
    """From the login page, sign in at the provider behind `button` as the person `sub`."""
    page.goto("/login")
    page.get_by_role("link", name=button).click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_two_providers_sign_the_same_person_into_one_account(new_page, identity_providers):
    sub = unique("sso")
    for issuer in identity_providers.values():
        claims = {"email": f"{sub}@example.test", "email_verified": True, "preferred_username": sub}
        httpx.put(f"{issuer}/users/{sub}", json=claims).raise_for_status()
    page = new_page()
    page.goto("/login")
    expect(page.get_by_role("link", name="Sign in with North ID")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with South ID")).to_be_visible()

    through(page, "Sign in with North ID", sub)
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    page.goto("/account")
    expect(page.locator("#sessions")).to_contain_text("single sign-on (North ID)")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    # Signed out here; the provider's own sign-out is offered, and comes back to our login page.
    expect(page.locator("#flash")).to_contain_text("You may still be signed in at North ID.")
    page.get_by_role("link", name="Sign out of North ID too").click()
    page.get_by_role("button", name="End session").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))

    through(page, "Sign in with South ID", sub)
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    page.goto("/account")
    expect(page.locator("#sessions")).to_contain_text("single sign-on (South ID)")
    expect(page.locator("#verified-email")).to_contain_text(f"{sub}@example.test")


def test_a_refusal_at_the_provider_comes_back_as_a_message_on_the_login_page(new_page):
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Sign in with North ID").click()
    page.get_by_role("button", name="Deny").click()
    expect(page).to_have_url(re.compile(r"/login/?\?sso=refused$"))
    expect(page.get_by_role("alert")).to_have_text("The sign-in provider did not sign you in.")
