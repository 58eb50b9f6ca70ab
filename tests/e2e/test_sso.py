"""Single sign-on in a real browser: two OpenID Connect providers' buttons side by side on the login page; a
new person signs in through one and gets an account (choosing its username), signs out (here and, offered, at
the provider), then signs in through the other (same verified address) into the same account; the account page
says how each session was opened; a password account links a provider from the account page and then signs in
with it."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import register, unique


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
    # A new account: the username proposed from the provider's profile, changed here once.
    expect(page.get_by_label("Username")).to_have_value(sub)
    chosen = unique("chosen_")
    page.get_by_label("Username").fill(chosen)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    expect(page.get_by_role("complementary").get_by_text(chosen, exact=True)).to_be_visible()
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


def test_a_password_account_links_a_provider_from_the_account_page_and_signs_in_with_it(new_page, identity_providers):
    page, name = new_page(), unique("linker")
    register(page, name)
    sub = unique("link")
    claims = {"email": f"{sub}@example.test", "email_verified": True, "preferred_username": sub}
    httpx.put(f"{identity_providers['north']}/users/{sub}", json=claims).raise_for_status()
    page.goto("/account")
    page.get_by_role("button", name="Sign in with North ID too").click()
    page.get_by_role("link", name="Continue to North ID to link it").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(re.compile(r"/account/?\?sso_linked=north$"))
    expect(page.get_by_role("status").filter(has_text="North ID is linked")).to_be_visible()
    expect(page.locator("#sso-links")).to_contain_text(f"Signs in with North ID ({sub}@example.test)")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/?$"))

    through(page, "Sign in with North ID", sub)
    expect(page).to_have_url(re.compile(r"/rooms/?$"))
    expect(page.get_by_role("complementary").get_by_text(name, exact=True)).to_be_visible()
