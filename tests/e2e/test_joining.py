"""Joining and getting back in, in Chromium: an administrator makes sign-up invite-only in the admin
area and creates an invite link; a stranger without it is refused on the registration page, a newcomer
with it registers; an administrator's reset link lets a user who forgot their password back in."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from djangochat_rx.domain import signup
from tests.e2e.test_admin import open_admin
from tests.e2e.test_chat import register, unique

PASSWORD = "password123"


@pytest.fixture
def reopened(engine) -> Iterator[None]:
    """Sign-up is open again after the test (the other browser tests register freely)."""
    yield
    with Session(engine) as db:
        signup.set_mode(db, None, "open")


def shown_link(admin: Page) -> str:
    """The link the admin area shows once, as a path of the app."""
    field = admin.locator("#new-link")
    expect(field).to_have_value(re.compile(r"token=|invite="))
    url = field.input_value()
    return url[url.index("/", url.index("//") + 2) :]


def test_invite_only_sign_up_refuses_strangers_and_admits_whoever_has_the_link(new_page, engine, reopened):
    admin = open_admin(new_page, engine)
    admin.get_by_role("tab", name="Sign-up").click()
    admin.get_by_role("combobox", name="Who may create an account").click()
    admin.get_by_role("option", name=signup.MODE_LABELS["invite"]).click()
    expect(admin.get_by_role("status").filter(has_text="Sign-up setting saved.")).to_be_visible()

    stranger = new_page()
    stranger.goto("/register")
    expect(stranger.locator("#signup-refusal")).to_contain_text("needs an invite link")
    expect(stranger.get_by_label("Username")).to_have_count(0)

    admin.get_by_label("Note (who it is for)").fill("the new team")
    admin.get_by_label("Accounts").fill("1")
    admin.get_by_role("button", name="Create invite link").click()
    path = shown_link(admin)
    row = admin.locator("#admin-invites tbody tr").first
    expect(row).to_contain_text("the new team")
    expect(row).to_contain_text("0 of 1")

    newcomer, name = new_page(), unique("invited")
    newcomer.goto(path)
    newcomer.get_by_label("Username").fill(name)
    newcomer.get_by_label("Password", exact=True).fill(PASSWORD)
    newcomer.get_by_label("Confirm password").fill(PASSWORD)
    newcomer.get_by_role("button", name="Register").click()
    expect(newcomer).to_have_url(re.compile(r"/rooms/?$"))

    late = new_page()
    late.goto(path)
    expect(late.locator("#signup-refusal")).to_contain_text("cannot be used")
    admin.reload()
    admin.get_by_role("tab", name="Sign-up").click()
    expect(admin.locator("#admin-invites tbody tr").first).to_contain_text("used up")


def set_password_by_link(page: Page, path: str, name: str, password: str) -> None:
    """Open a password link (a reset, a new account's) for `name`, set `password` and arrive in the rooms."""
    page.goto(path)
    expect(page.get_by_text(f"For {name}.")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password)
    page.get_by_role("button", name="Set password and log in").click()
    expect(page).to_have_url(re.compile(r"/rooms/?$"))


def test_an_admins_reset_link_lets_a_user_who_forgot_their_password_back_in(new_page, engine):
    user, name = new_page(), unique("forgetful")
    register(user, name)
    admin = open_admin(new_page, engine)
    admin.get_by_label("Search users").fill(name)
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("button", name=f"Password-reset link for {name}").click()
    path = shown_link(admin)

    again = new_page()
    again.goto("/login")
    again.get_by_role("link", name="Forgot password?").click()
    expect(again.get_by_text("This server does not send email.")).to_be_visible()
    set_password_by_link(again, path, name, "a fresh password")
    # The old session ended: the first browser is logged out.
    user.reload()
    expect(user).to_have_url(re.compile(r"/login$"))
