"""Joining and getting back in over real websockets, with a real SMTP server (aiosmtpd) where mail is
sent: invite-only and closed sign-up, accounts an admin creates, reset links, "Forgot password", and
checking an email address from the account page."""

import asyncio
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage as Email

import aiohttp
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import col

from djangochat_rx import db, settings
from djangochat_rx.domain import account_links, accounts, messages, rooms, sessions, signup
from djangochat_rx.models import AuditEntry, Message, User, UserSession, utcnow
from djangochat_rx.notify import notices
from djangochat_rx.state.account import AccountState
from djangochat_rx.state.admin import AdminState
from djangochat_rx.state.auth import AccountFormState
from djangochat_rx.state.joining import ForgotState, ResetState, UnsubscribeState, VerifyState
from tests.state.conftest import unique
from tests.support.client import STORAGE_KEY
from tests.unit.conftest import make_admin

PASSWORD = "password123"


class Inbox:
    """What the SMTP server received, as parsed emails."""

    def __init__(self) -> None:
        self.mail: list[Email] = []
        # Cleared, the server holds each email it is given until it is set again (a slow mail server).
        self.accepting = threading.Event()
        self.accepting.set()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        await asyncio.get_running_loop().run_in_executor(None, self.accepting.wait)
        self.mail.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def link(self, index: int = -1) -> str:
        """The token of the link in email `index`."""
        return re.search(r"token=([\w-]+)", self.mail[index].get_content()).group(1)


@pytest.fixture
def inbox(monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, and the app (in this process) configured to send through it."""
    box = Inbox()
    with socket.socket() as probe:  # aiosmtpd's controller needs a port number given to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setattr(settings, "SMTP_URL", f"smtp://127.0.0.1:{port}")
    yield box
    box.accepting.set()
    controller.stop()


@pytest.fixture
def mode():
    """Set the sign-up mode for a test; open again afterwards (how the other tests register)."""
    yield lambda chosen: db.call(signup.set_mode, None, chosen)
    db.call(signup.set_mode, None, "open")
    db.call(signup.set_domain, None, "")


async def until(predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def with_address(make_user) -> tuple[accounts.UserView, str, str]:
    """A user whose address was confirmed longer ago than the reset hold (EMAIL_CHANGE_RESET_HOLD_HOURS)."""
    user, token = make_user()
    address = f"{user.username}@example.org"
    link = db.call(account_links.request_verify, user.id, address)
    db.call(account_links.verify_email, link.token)
    long_ago = utcnow() - timedelta(hours=settings.EMAIL_CHANGE_RESET_HOLD_HOURS, minutes=1)
    with db.session() as session:
        session.execute(
            update(AuditEntry)
            .where(col(AuditEntry.actor_id) == user.id, col(AuditEntry.action) == account_links.ADDRESS_CHANGED)
            .values(created_at=long_ago)
        )
        session.commit()
    return user, token, address


async def test_forgot_password_mails_a_link_that_sets_the_password_and_logs_out_everywhere(open_tab, make_user, inbox):
    user, old_token, address = with_address(make_user)
    elsewhere = await open_tab("/account", token=old_token)
    forgot = await open_tab("/forgot")
    assert forgot.var(ForgotState, "email_enabled") is True

    await forgot.call(ForgotState, "request", form={"login": address.upper()})
    await forgot.wait_for(lambda: "we emailed it a link" in forgot.var(ForgotState, "sent", ""))
    await until(lambda: len(inbox.mail) == 1)
    assert inbox.mail[0]["To"] == address and "Reset" in inbox.mail[0]["Subject"]
    token = inbox.link()
    assert f"{settings.PUBLIC_URL}/reset?token={token}" in inbox.mail[0].get_content()

    page = await open_tab(f"/reset?token={token}")
    await page.wait_for(lambda: page.var(ResetState, "status") == "form")
    assert page.var(ResetState, "for_user") == user.username
    await page.call(
        ResetState, "set_password", form={"password": "brand new pass", "confirm_password": "brand new pass"}
    )
    await page.wait_for(lambda: "/rooms" in page.redirects)
    assert db.call(sessions.resolve, page.local_storage[STORAGE_KEY]).user_id == user.id
    assert db.call(sessions.resolve, old_token) is None
    await elsewhere.call(AccountState, "load")  # the old session's tab is logged out
    await elsewhere.wait_for(lambda: "/login" in elsewhere.redirects)
    assert db.call(accounts.authenticate, user.username, "brand new pass").id == user.id

    again = await open_tab(f"/reset?token={token}")
    await again.wait_for(lambda: again.var(ResetState, "status") == "invalid")


async def test_forgot_password_answers_without_waiting_for_the_mail_server(open_tab, make_user, inbox):
    _, _, address = with_address(make_user)
    inbox.accepting.clear()
    forgot = await open_tab("/forgot")
    await forgot.call(ForgotState, "request", form={"login": address})
    await forgot.wait_for(lambda: "we emailed it a link" in forgot.var(ForgotState, "sent", ""))
    assert inbox.mail == []  # the server still holds it
    inbox.accepting.set()
    await until(lambda: len(inbox.mail) == 1)
    assert inbox.mail[0]["To"] == address


async def test_forgot_password_answers_a_stranger_the_same_and_sends_nothing(open_tab, make_user, inbox):
    no_address, _ = make_user()
    forgot = await open_tab("/forgot")
    answers = []
    for login in ("nobody-here@example.org", no_address.username):
        await forgot.call(ForgotState, "request", form={"login": login})
        await forgot.wait_for(lambda: forgot.var(ForgotState, "sent", ""))
        answers.append(forgot.var(ForgotState, "sent"))
        await forgot.call(ForgotState, "open")
        await forgot.wait_for(lambda: forgot.var(ForgotState, "sent") == "")
    _, _, address = with_address(make_user)
    await forgot.call(ForgotState, "request", form={"login": address})
    await until(lambda: len(inbox.mail) == 1)
    assert answers == [await forgot.wait_for(lambda: forgot.var(ForgotState, "sent", ""))] * 2
    assert [m["To"] for m in inbox.mail] == [address]


async def test_without_email_the_forgot_page_says_to_ask_an_administrator(open_tab, monkeypatch):
    monkeypatch.setattr(settings, "SMTP_URL", "")
    forgot = await open_tab("/forgot")
    assert forgot.var(ForgotState, "email_enabled") is False
    await forgot.call(ForgotState, "request", form={"login": "someone"})
    await forgot.wait_for(lambda: "ask an administrator" in forgot.var(ForgotState, "error", ""))


async def test_an_address_is_checked_by_a_mailed_link_from_the_account_page(open_tab, make_user, inbox):
    user, token = make_user()
    account = await open_tab("/account", token=token)
    await account.wait_for(lambda: account.var(AccountState, "email_enabled") is True)
    await account.call(AccountState, "add_email", form={"email": "not an address", "password": PASSWORD})
    await account.wait_for(lambda: "like name@example.com" in account.var(AccountState, "email_error", ""))
    address = f"{user.username}@example.org"
    await account.call(AccountState, "add_email", form={"email": address, "password": "not my password"})
    await account.wait_for(lambda: account.var(AccountState, "email_error") == "Your current password is not correct.")
    await account.call(AccountState, "add_email", form={"email": address, "password": PASSWORD})
    await account.wait_for(lambda: "We sent a link" in account.var(AccountState, "email_notice", ""))
    await until(lambda: len(inbox.mail) == 1)
    assert db.call(account_links.email_of, user.id) == ""

    check = await open_tab(f"/verify-email?token={inbox.link()}")
    await check.wait_for(lambda: check.var(VerifyState, "status") == "form")
    assert check.var(VerifyState, "message") == f"Make {address} the email address of {user.username}?"
    assert db.call(account_links.email_of, user.id) == ""  # opening the link confirms nothing
    await check.call(VerifyState, "confirm")
    await check.wait_for(lambda: check.var(VerifyState, "status") == "done")
    assert db.call(account_links.email_of, user.id) == address
    await account.call(AccountState, "load")
    await account.wait_for(lambda: account.var(AccountState, "email") == address)
    await account.call(AccountState, "remove_email")
    await account.wait_for(lambda: account.var(AccountState, "email") == "")
    assert db.call(account_links.email_of, user.id) == ""


async def admin_tab(open_tab, make_user):
    root, token = make_user(unique("root"))
    make_admin_user(root)
    tab = await open_tab("/admin", token=token)
    await tab.wait_for(lambda: tab.var(AdminState, "status") == "ready")
    return root, tab


def make_admin_user(user: accounts.UserView) -> None:
    with db.session() as session:
        make_admin(session, user)


def register_form(name: str) -> dict[str, str]:
    return {"username": name, "password": PASSWORD, "confirm_password": PASSWORD}


async def test_invite_only_sign_up_admits_whoever_has_the_admins_link(open_tab, make_user, mode):
    _, admin = await admin_tab(open_tab, make_user)
    await admin.call(AdminState, "choose_signup_mode", mode="invite")
    await admin.wait_for(lambda: admin.var(AdminState, "signup_mode") == "invite")
    stranger = await open_tab("/register")
    await stranger.wait_for(lambda: stranger.var(AccountFormState, "register_status") == "invite")
    await stranger.call(AccountFormState, "register", form=register_form(unique("sneaky")))
    await stranger.wait_for(lambda: "needs an invite link" in stranger.var(AccountFormState, "error", ""))

    await admin.call(AdminState, "create_invite", form={"days": "3", "uses": "1", "note": "new team"})
    await admin.wait_for(lambda: admin.var(AdminState, "new_link"))
    link = admin.var(AdminState, "new_link")
    assert link.startswith(settings.PUBLIC_URL + "/register?invite=")
    assert admin.var(AdminState, "invites")[0]["status"] == "active"
    path = link.removeprefix(settings.PUBLIC_URL)

    invited = await open_tab(path)
    await invited.wait_for(lambda: invited.var(AccountFormState, "register_status") == "form")
    name = unique("invited")
    await invited.call(AccountFormState, "register", form=register_form(name))
    await invited.wait_for(lambda: "/rooms" in invited.redirects)
    assert db.call(sessions.resolve, invited.local_storage[STORAGE_KEY]).username == name

    second = await open_tab(path)
    await second.wait_for(lambda: second.var(AccountFormState, "register_status") == "invalid invite")
    await admin.call(AdminState, "load")
    await admin.wait_for(lambda: admin.var(AdminState, "invites")[0]["status"] == "used up")


async def test_on_a_closed_instance_an_admin_creates_the_account_and_its_owner_sets_the_password(
    open_tab, make_user, mode
):
    _, admin = await admin_tab(open_tab, make_user)
    mode("closed")
    visitor = await open_tab("/register")
    await visitor.wait_for(lambda: visitor.var(AccountFormState, "register_status") == "closed")

    name = unique("hire")
    await admin.call(AdminState, "create_account", form={"username": name})
    await admin.wait_for(lambda: admin.var(AdminState, "new_link"))
    assert name in admin.var(AdminState, "new_link_label")
    path = admin.var(AdminState, "new_link").removeprefix(settings.PUBLIC_URL)
    owner = await open_tab(path)
    await owner.wait_for(lambda: owner.var(ResetState, "for_user") == name)
    await owner.call(ResetState, "set_password", form={"password": PASSWORD, "confirm_password": PASSWORD})
    await owner.wait_for(lambda: "/rooms" in owner.redirects)
    assert db.call(accounts.authenticate, name, PASSWORD).username == name

    await admin.call(AdminState, "create_account", form={"username": name.upper()})
    await admin.wait_for(lambda: admin.var(AdminState, "error") == "That username is taken.")
    assert admin.var(AdminState, "new_link") == ""


async def test_an_admins_reset_link_is_shown_once_and_works_once(open_tab, make_user):
    user, old_token = make_user()
    _, admin = await admin_tab(open_tab, make_user)
    await admin.call(AdminState, "reset_link", user_id=user.id)
    await admin.wait_for(lambda: admin.var(AdminState, "new_link"))
    path = admin.var(AdminState, "new_link").removeprefix(settings.PUBLIC_URL)
    await admin.call(AdminState, "load")
    await admin.wait_for(lambda: admin.var(AdminState, "new_link") == "")

    page = await open_tab(path)
    await page.wait_for(lambda: page.var(ResetState, "status") == "form")
    await page.call(ResetState, "set_password", form={"password": "x", "confirm_password": "x"})
    await page.wait_for(lambda: "at least 8" in page.var(ResetState, "error", ""))
    await page.call(ResetState, "set_password", form={"password": "new password", "confirm_password": "new password"})
    await page.wait_for(lambda: "/rooms" in page.redirects)
    assert db.call(sessions.resolve, old_token) is None
    again = await open_tab(path)
    await again.wait_for(lambda: again.var(ResetState, "status") == "invalid")


async def test_a_missed_mention_is_emailed_and_its_links_unsubscribe(open_tab, make_user, inbox, backend_url):
    user, token, address = with_address(make_user)
    author, _ = make_user()
    general = db.call(rooms.create_room, unique("Missed "), "", author.id)
    mention = db.call(messages.post_message, general.id, author.id, f"@{user.username} the build is red")
    a_while_ago = utcnow() - timedelta(minutes=15)
    with db.session() as session:  # the mention waited 15 minutes, and the user has been away as long
        session.execute(update(Message).where(col(Message.id) == mention.id).values(created_at=a_while_ago))
        session.execute(update(UserSession).where(col(UserSession.user_id) == user.id).values(last_seen_at=a_while_ago))
        session.execute(update(User).where(col(User.id) == user.id).values(created_at=a_while_ago - timedelta(hours=1)))
        session.commit()

    assert await notices.send_due() >= 1
    [email] = [m for m in inbox.mail if m["To"] == address]
    body = email.get_content()
    assert "the build is red" in body and f"/rooms/{general.slug}?message={mention.id}" in body
    assert await notices.send_due() == 0 or all(m["To"] != address for m in inbox.mail[1:])

    page_token = re.search(r"/unsubscribe\?token=([\w-]+)", body).group(1)
    page = await open_tab(f"/unsubscribe?token={page_token}")
    assert db.call(notices.preferences, user.id).choice == "mentions"  # opening the link changes nothing
    await page.call(UnsubscribeState, "confirm")
    await page.wait_for(lambda: page.var(UnsubscribeState, "status") == "done")
    assert db.call(notices.preferences, user.id).choice == "off"

    db.call(notices.set_preferences, user.id, "mentions", 10)
    one_click = email["List-Unsubscribe"].strip("<>").removeprefix(settings.PUBLIC_URL)
    async with aiohttp.ClientSession() as http:
        async with http.post(backend_url + one_click, data={"List-Unsubscribe": "One-Click"}) as answer:
            assert answer.status == 200
        async with http.post(backend_url + "/_unsubscribe/made-up", data={"List-Unsubscribe": "One-Click"}) as answer:
            assert answer.status == 404
        async with http.post(backend_url + one_click, data={}) as answer:  # fetched by a scanner, not clicked
            assert answer.status == 400
    assert db.call(notices.preferences, user.id).choice == "off"

    account = await open_tab("/account", token=token)
    await account.wait_for(lambda: account.var(AccountState, "notices_choice") == "off")
    await account.call(AccountState, "save_notices", form={"notices_choice": "digest", "notices_delay": "30"})
    await account.wait_for(lambda: account.var(AccountState, "email_notice") == "Email preferences saved.")
    assert db.call(notices.preferences, user.id) == notices.Preferences("digest", 30)
    await account.call(AccountState, "save_notices", form={"notices_choice": "hourly", "notices_delay": "30"})
    await account.wait_for(lambda: account.var(AccountState, "email_error") == "Choose one of the options offered.")


async def test_open_sign_up_for_one_domain_registers_through_a_link_mailed_to_the_address(open_tab, inbox, mode):
    mode("open")
    db.call(signup.set_domain, None, "team.example")
    page = await open_tab("/register")
    await page.wait_for(lambda: page.var(AccountFormState, "register_status") == "email")
    assert page.var(AccountFormState, "signup_domain") == "team.example"
    await page.call(AccountFormState, "register", form=register_form(unique("walkin")))
    await page.wait_for(lambda: "@team.example" in page.var(AccountFormState, "error", ""))
    await page.call(AccountFormState, "request_signup", form={"email": "me@elsewhere.example"})
    await page.wait_for(lambda: "Use your address at @team.example" in page.var(AccountFormState, "error", ""))

    name = unique("member")
    address = f"{name}@team.example"
    await page.call(AccountFormState, "request_signup", form={"email": address})
    await page.wait_for(lambda: "We sent a link" in page.var(AccountFormState, "signup_sent", ""))
    answer = page.var(AccountFormState, "signup_sent")
    await until(lambda: len(inbox.mail) == 1)
    assert inbox.mail[0]["To"] == address and "Finish creating" in inbox.mail[0]["Subject"]
    token = re.search(r"invite=([\w-]+)", inbox.mail[0].get_content()).group(1)

    finish = await open_tab(f"/register?invite={token}")
    await finish.wait_for(lambda: finish.var(AccountFormState, "register_status") == "form")
    await finish.call(AccountFormState, "register", form=register_form(name))
    await finish.wait_for(lambda: "/rooms" in finish.redirects)
    user = db.call(sessions.resolve, finish.local_storage[STORAGE_KEY])
    assert db.call(account_links.email_of, user.user_id) == address

    # Asking again for that address answers the same and mails a reminder of the account, not a link.
    await page.call(AccountFormState, "request_signup", form={"email": address.upper()})
    await until(lambda: len(inbox.mail) == 2)
    await page.wait_for(lambda: page.var(AccountFormState, "signup_sent") == answer.replace(address, address.upper()))
    assert "already have" in inbox.mail[1]["Subject"] and "invite=" not in inbox.mail[1].get_content()


async def test_a_crash_between_claiming_and_sending_delays_the_email_but_sends_it_once(make_user, inbox):
    user, _, address = with_address(make_user)
    author, _ = make_user()
    general = db.call(rooms.create_room, unique("Crash "), "", author.id)
    db.call(messages.post_message, general.id, author.id, f"@{user.username} are you there?")
    with db.session() as session:
        session.execute(
            update(UserSession)
            .where(col(UserSession.user_id) == user.id)
            .values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        session.execute(update(User).where(col(User.id) == user.id).values(created_at=utcnow() - timedelta(hours=2)))
        session.commit()
    soon = utcnow() + timedelta(minutes=11)
    [notice] = [n for n in db.call(notices.due, soon) if n.user_id == user.id]
    assert db.call(notices.queue, notice) is not None  # claimed and written ... then the worker died

    assert [n for n in db.call(notices.due, soon) if n.user_id == user.id] == []  # nothing to claim again
    await notices.send_pending()  # the restarted worker's first round
    await until(lambda: [m["To"] for m in inbox.mail].count(address) == 1)
    await notices.send_pending()
    await asyncio.sleep(0.2)
    assert [m["To"] for m in inbox.mail].count(address) == 1
