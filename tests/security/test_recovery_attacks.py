"""Recovery really recovers, and registration from one office (issue 26, attacks 5, 6 and 12, item 9), over real
websockets, real HTTP, real bcrypt and a real SMTP server: a stolen session can neither mint an API token nor
point password resets at its own mailbox without the password, and whatever tokens exist end when the owner
recovers the account; a changed address is told and gets no emailed reset for a day; opening a link's page
changes nothing; a team behind one address joins through its invite while open sign-ups from it are budgeted."""

import json

import pytest
from limits import parse
from sqlmodel import select

from djangochat_rx import db, settings
from djangochat_rx.domain import account_links, accounts, admin, api_tokens, messages, rooms, sessions, signup
from djangochat_rx.infra import throttle
from djangochat_rx.models import AccountLink
from djangochat_rx.state.account import AccountState
from djangochat_rx.state.api_tokens import ApiTokensState
from djangochat_rx.state.auth import AccountFormState, AuthState
from djangochat_rx.state.joining import ForgotState, ResetState, VerifyState
from djangochat_rx.state.rooms import RoomsState
from tests.security import test_account_attacks
from tests.security.test_account_attacks import submit
from tests.state import test_joining
from tests.state.conftest import unique
from tests.state.test_api_flow import call
from tests.state.test_joining import until, with_address

# Fixtures of those modules: a real SMTP server, and every bcrypt check counted.
inbox = test_joining.inbox
counted_checks = test_account_attacks.counted_checks

PASSWORD = "password123"
WRONG = "Your current password is not correct."
LOCKED = "Too many attempts, try again in 30 minutes."
REFUSED = "Too many emails were asked for. Try again in an hour."


@pytest.fixture(autouse=True)
async def fresh_counts():
    await throttle._limiter().storage.reset()
    yield
    await throttle._limiter().storage.reset()


@pytest.fixture
def mode():
    """Set the sign-up mode for a test; open again afterwards (how the other tests register)."""
    yield lambda chosen: db.call(signup.set_mode, None, chosen)
    db.call(signup.set_mode, None, "open")
    db.call(signup.set_domain, None, "")


def private_room_with_a_token(make_user) -> tuple[accounts.UserView, str, str, list[str]]:
    """An owner (and their session) with a private room holding a secret, and two live tokens that read it."""
    owner, session = make_user()
    den = db.call(rooms.create_room, unique("Den "), "", owner.id, True)
    db.call(messages.post_message, den.id, owner.id, "the vault code")
    tokens = [db.call(api_tokens.create, owner.id, f"script {n}", ["read"], 30)[1] for n in range(2)]
    return owner, session, f"/api/v1/rooms/{den.slug}/messages", tokens


async def reads(backend_url: str, path: str, token: str) -> bool:
    status, body = await call(backend_url, "GET", path, token)
    return status == 200 and "the vault code" in json.dumps(body)


async def loaded(tab, path: str, page_state: type) -> None:
    """Navigate the tab to `path` and wait until its page's load (a handler of `page_state`) has answered."""
    before = len(tab.frames)
    await tab.navigate(path)
    await tab.wait_for(lambda: any(page_state.get_full_name() in f.get("delta", {}) for f in tab.frames[before:]))


async def said_on_the_next_page(tab, path: str, page_state: type, text: str) -> None:
    """The page the tab was sent to (`path`, loaded by `page_state`) says `text` (AuthState.flash), and the next
    page no longer does."""
    await loaded(tab, path, page_state)
    assert text in tab.var(AuthState, "flash")
    await loaded(tab, "/login", AccountFormState)
    assert tab.var(AuthState, "flash") == ""


def token_form(password: str, name: str = "thief's key") -> dict[str, str]:
    return {"name": name, "scope_read": "on", "days": "365", "password": password}


async def test_a_stolen_session_cannot_mint_a_token_or_guess_the_password_through_the_form(
    open_tab, make_user, counted_checks
):
    """Attack 5: the session alone minted a token that outlived the owner's recovery. Now the form asks for the
    current password, each guess is charged to the password-check budget, and nothing is made."""
    owner, session = make_user()
    thief = await open_tab("/account", token=session)
    for guess in ["", "password1", "hunter22", "letmein!", "qwertyui"]:
        assert await submit_token(thief, token_form(guess)) == WRONG
    assert await submit_token(thief, token_form(PASSWORD)) == LOCKED
    assert len(counted_checks) == 5
    assert db.call(api_tokens.listed, owner.id) == []
    assert thief.var(ApiTokensState, "new_token") == ""


async def submit_token(tab, form: dict[str, str]) -> str:
    """Submit the token form and wait for its answer: the error shown ("" once a token was made)."""
    before = len(tab.frames)
    await tab.call(ApiTokensState, "create_token", form=form)
    await tab.wait_for(lambda: any(ApiTokensState.get_full_name() in f.get("delta", {}) for f in tab.frames[before:]))
    return tab.var(ApiTokensState, "token_error")


async def test_an_account_holds_at_most_its_cap_of_live_tokens(open_tab, make_user, monkeypatch):
    monkeypatch.setattr(settings, "API_TOKENS_PER_USER", 2)
    _, session = make_user()
    tab = await open_tab("/account", token=session)
    for name in ("first", "second"):
        assert await submit_token(tab, token_form(PASSWORD, name)) == ""
    refused = await submit_token(tab, token_form(PASSWORD, "third"))
    assert refused == "An account holds at most 2 live tokens: revoke one it no longer needs first."
    assert [token["name"] for token in tab.var(ApiTokensState, "tokens")] == ["second", "first"]
    await tab.call(ApiTokensState, "revoke_token", token_id=tab.var(ApiTokensState, "tokens")[0]["id"])
    await tab.wait_for(lambda: tab.var(ApiTokensState, "tokens")[0]["revoked"])
    assert await submit_token(tab, token_form(PASSWORD, "third")) == ""


async def test_changing_the_password_revokes_every_token_and_says_so(open_tab, make_user, backend_url):
    """Attack 5: after the owner changed the password and logged out everywhere, the token still read the
    private room. Now the change revokes the tokens (listed as revoked) and the page says how many."""
    _, session, path, tokens = private_room_with_a_token(make_user)
    assert all([await reads(backend_url, path, token) for token in tokens])
    tab = await open_tab("/account", token=session)
    await tab.wait_for(lambda: tab.var(AccountState, "sessions"))
    form = {"current_password": PASSWORD, "new_password": "a brand new one", "confirm_new_password": "a brand new one"}
    await tab.call(AccountState, "change_password", form=form)
    await tab.wait_for(lambda: "Password changed" in tab.var(AccountState, "notice", ""))
    assert "Your 2 API tokens were revoked" in tab.var(AccountState, "notice")
    assert not any([await reads(backend_url, path, token) for token in tokens])
    await tab.call(ApiTokensState, "load_tokens", everyone=False)
    await tab.wait_for(lambda: [token["revoked"] for token in tab.var(ApiTokensState, "tokens")] == [True, True])


async def test_log_out_everywhere_revokes_every_token_and_says_so(open_tab, make_user, backend_url):
    _, session, path, tokens = private_room_with_a_token(make_user)
    tab = await open_tab("/account", token=session)
    await tab.wait_for(lambda: tab.var(AccountState, "sessions"))
    await tab.call(AccountState, "log_out_everywhere")
    await tab.wait_for(lambda: "/login" in tab.redirects)
    await said_on_the_next_page(tab, "/login", AccountFormState, "Your 2 API tokens were revoked")
    assert not any([await reads(backend_url, path, token) for token in tokens])
    assert db.call(sessions.resolve, session) is None


async def test_a_reset_link_revokes_every_token_and_says_so(open_tab, make_user, backend_url):
    owner, _, path, tokens = private_room_with_a_token(make_user)
    root, _ = make_user(unique("root"))
    db.call(admin.promote, root.username)
    _, link = db.call(account_links.issue_reset, root.id, owner.id)
    page = await open_tab(f"/reset?token={link}")
    await page.wait_for(lambda: page.var(ResetState, "status") == "form")
    await page.call(
        ResetState, "set_password", form={"password": "reset password", "confirm_password": "reset password"}
    )
    await page.wait_for(lambda: "/rooms" in page.redirects)
    await said_on_the_next_page(page, "/rooms", RoomsState, "Your 2 API tokens were revoked")
    assert not any([await reads(backend_url, path, token) for token in tokens])


def address_change(user: accounts.UserView) -> dict[str, str]:
    return {"email": f"{user.username}@thief.example", "password": PASSWORD}


async def test_a_stolen_session_cannot_point_password_resets_at_its_own_mailbox(
    open_tab, make_user, inbox, counted_checks
):
    """Attack 6: the session alone replaced the address, then "Forgot password" mailed the thief a reset link.
    Now replacing it needs the current password (each guess charged to the password-check budget), and no
    check link goes out without it."""
    owner, session, address = with_address(make_user)
    thief = await open_tab("/account", token=session)
    await thief.wait_for(lambda: thief.var(AccountState, "email") == address)
    for guess in ["", "password1", "hunter22", "letmein!", "qwertyui"]:
        await thief.call(AccountState, "add_email", form={**address_change(owner), "password": guess})
        await thief.wait_for(lambda: thief.var(AccountState, "email_error") == WRONG)
        await thief.call(AccountState, "load")
        await thief.wait_for(lambda: thief.var(AccountState, "email_error") == "")
    await thief.call(AccountState, "add_email", form=address_change(owner))
    await thief.wait_for(lambda: thief.var(AccountState, "email_error") == LOCKED)
    assert len(counted_checks) == 5
    assert inbox.mail == [] and db.call(account_links.email_of, owner.id) == address


async def test_a_new_address_is_told_to_the_old_one_and_gets_no_emailed_reset_for_a_day(open_tab, make_user, inbox):
    """Attack 6: with the address replaced, "Forgot password" answers as for any address but mails nothing
    for EMAIL_CHANGE_RESET_HOLD_HOURS; the old address is told of the change; an administrator's link works."""
    owner, session, old = with_address(make_user)
    account = await open_tab("/account", token=session)
    await account.call(AccountState, "add_email", form=address_change(owner))
    await account.wait_for(lambda: "We sent a link" in account.var(AccountState, "email_notice", ""))
    await until(lambda: len(inbox.mail) == 1)
    check = await open_tab(f"/verify-email?token={inbox.link()}")
    await check.wait_for(lambda: check.var(VerifyState, "status") == "form")
    await check.call(VerifyState, "confirm")
    await check.wait_for(lambda: check.var(VerifyState, "status") == "done")
    await until(lambda: len(inbox.mail) == 2)
    told = inbox.mail[1]
    assert (
        told["To"] == old and "changed" in told["Subject"] and f"{owner.username}@thief.example" in told.get_content()
    )

    forgot = await open_tab("/forgot")
    stranger_answer = await forgot_answer(forgot, "nobody-here@example.org")
    for login in (owner.username, f"{owner.username}@thief.example"):
        assert await forgot_answer(forgot, login) == stranger_answer
    assert reset_links(owner) == 0 and len(inbox.mail) == 2  # no reset link was made, none went anywhere

    root, _ = make_user(unique("root"))
    db.call(admin.promote, root.username)
    _, link = db.call(account_links.issue_reset, root.id, owner.id)
    page = await open_tab(f"/reset?token={link}")
    await page.wait_for(lambda: page.var(ResetState, "status") == "form")
    await page.call(ResetState, "set_password", form={"password": "owner's again", "confirm_password": "owner's again"})
    await page.wait_for(lambda: "/rooms" in page.redirects)
    assert db.call(accounts.authenticate, owner.username, "owner's again").id == owner.id


def reset_links(user: accounts.UserView) -> int:
    with db.session() as session:
        query = select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.purpose == account_links.RESET)
        return len(session.exec(query).all())


async def forgot_answer(forgot, login: str) -> str:
    await forgot.call(ForgotState, "open")
    await forgot.wait_for(lambda: forgot.var(ForgotState, "sent") == "")
    await forgot.call(ForgotState, "request", form={"login": login})
    return await forgot.wait_for(lambda: forgot.var(ForgotState, "sent", ""))


async def test_a_mail_scanner_opening_the_check_link_confirms_nothing(open_tab, make_user, inbox):
    """Attack 12: fetching the address-check link verified the address. Now its page asks, and only the click
    on "Confirm this address" does it."""
    owner, session = make_user()
    account = await open_tab("/account", token=session)
    await account.call(AccountState, "add_email", form=address_change(owner))
    await until(lambda: len(inbox.mail) == 1)
    path = f"/verify-email?token={inbox.link()}"
    scanners = [await open_tab(path) for _ in range(2)]  # the scanner, then its second look
    for scanner in scanners:
        await scanner.wait_for(lambda tab=scanner: tab.var(VerifyState, "status") == "form")
    assert db.call(account_links.email_of, owner.id) == ""
    await scanner.call(VerifyState, "confirm")
    await scanner.wait_for(lambda: scanner.var(VerifyState, "status") == "done")
    assert db.call(account_links.email_of, owner.id) == f"{owner.username}@thief.example"


async def test_opening_a_reset_link_changes_nothing(open_tab, make_user, backend_url):
    """Attack 12, the other link: a reset link's page only asks for the new password; opened (by a scanner, twice)
    it ends no session, revokes no token and stays usable."""
    owner, session, path, tokens = private_room_with_a_token(make_user)
    root, _ = make_user(unique("root"))
    db.call(admin.promote, root.username)
    _, link = db.call(account_links.issue_reset, root.id, owner.id)
    for scanner in [await open_tab(f"/reset?token={link}") for _ in range(2)]:
        await scanner.wait_for(lambda tab=scanner: tab.var(ResetState, "status") == "form")
    assert db.call(sessions.resolve, session) is not None
    assert all([await reads(backend_url, path, token) for token in tokens])
    assert db.call(account_links.link_username, link, account_links.RESET) == owner.username


def register_form(name: str) -> dict[str, str]:
    return {"username": name, "password": PASSWORD, "confirm_password": PASSWORD}


async def register(open_tab, path: str) -> str:
    """Register a new name from a tab at `path` (all tabs come from one address): the error, "" when it worked."""
    tab = await open_tab(path)
    await tab.wait_for(lambda: tab.var(AccountFormState, "register_status") in ("form", "invalid invite"))
    return await submit(tab, AccountFormState, "register", register_form(unique("member")))


async def test_a_team_behind_one_address_joins_through_its_invite_while_open_sign_ups_stay_budgeted(
    open_tab, make_user, mode, monkeypatch
):
    """Item 9: ten registrations an hour per address stopped an office behind one NAT. Registrations through a
    usable invite skip that budget (the invite's uses are its budget); open ones, and made-up invites, do not."""
    monkeypatch.setattr(throttle, "REGISTER_PER_CLIENT", parse("2 per hour"))
    mode("open")
    root, _ = make_user(unique("root"))
    db.call(admin.promote, root.username)
    _, invite = db.call(signup.create_invite, root.id, 1, 4, "the office")
    assert [await register(open_tab, "/register") for _ in range(2)] == ["", ""]
    assert await register(open_tab, "/register") == "Too many attempts, try again in 60 minutes."
    assert [await register(open_tab, f"/register?invite={invite}") for _ in range(4)] == [""] * 4
    used_up = await register(open_tab, f"/register?invite={invite}")
    made_up = await register(open_tab, "/register?invite=made-up")
    assert used_up == made_up == "Too many attempts, try again in 60 minutes."


async def test_an_office_asks_for_its_sign_up_links_together_and_a_script_is_stopped(
    open_tab, mode, inbox, monkeypatch
):
    """Item 9, sign-up by address: colleagues behind one address ask for more than the 5 emailed links an hour
    one client may ask for elsewhere, up to SIGNUP_LINK_LIMIT_PER_CLIENT; each address still gets 5 at most."""
    monkeypatch.setattr(throttle, "EMAIL_LINKS", [parse("5 per hour")])  # the default (the tests' is looser)
    monkeypatch.setattr(throttle, "SIGNUP_LINKS_PER_CLIENT", parse("12 per hour"))
    mode("open")
    db.call(signup.set_domain, None, "office.example")
    page = await open_tab("/register")
    colleagues = [f"{unique('colleague')}@office.example" for _ in range(6)]
    answers = [await ask_signup(page, address) for address in colleagues]
    assert all(answer.startswith("We sent a link") for answer in answers)
    again = [await ask_signup(page, colleagues[0]) for _ in range(5)]
    assert [answer.startswith("We sent a link") for answer in again] == [True] * 4 + [False]
    assert again[-1] == REFUSED
    assert (await ask_signup(page, f"{unique('late')}@office.example")).startswith("We sent a link")
    assert await ask_signup(page, f"{unique('script')}@office.example") == REFUSED  # the 13th from one address
    await until(lambda: len(inbox.mail) == 11)


async def ask_signup(page, address: str) -> str:
    """Ask for a sign-up link: what the page answers (the notice, or the error)."""
    before = len(page.frames)
    await page.call(AccountFormState, "request_signup", form={"email": address})
    await page.wait_for(
        lambda: any(AccountFormState.get_full_name() in f.get("delta", {}) for f in page.frames[before:])
    )
    return page.var(AccountFormState, "signup_sent") or page.var(AccountFormState, "error")
