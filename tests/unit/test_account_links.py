"""One-time account links (account_links.py): an administrator's reset link, an account an admin
creates, "Forgot password", and verifying an email address."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from djangochat_rx import settings
from djangochat_rx.domain import account_links, accounts, admin, devices, sessions
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import AccountLink, AuditEntry, User, utcnow

NEW = "a new passphrase"


def reset(session, token: str) -> tuple[accounts.UserView, list[int]]:
    return account_links.reset_password(session, token, NEW, NEW)


def verified(session, user: accounts.UserView, address: str) -> None:
    link = account_links.request_verify(session, user.id, address)
    account_links.verify_email(session, link.token)


def a_day_passes(session) -> None:
    """Move every address change back past the reset hold (EMAIL_CHANGE_RESET_HOLD_HOURS)."""
    long_ago = utcnow() - timedelta(hours=settings.EMAIL_CHANGE_RESET_HOLD_HOURS, minutes=1)
    session.execute(
        update(AuditEntry).where(AuditEntry.action == account_links.ADDRESS_CHANGED).values(created_at=long_ago)
    )
    session.commit()


def test_an_admins_reset_link_sets_the_password_once_and_ends_every_session(session, root, alice):
    tokens = [sessions.issue(session, alice.id, "laptop"), sessions.issue(session, alice.id, "phone")]
    device = devices.remember(session, alice.id, "")
    username, token = account_links.issue_reset(session, root.id, alice.id)
    assert username == "alice" and len(token) >= 43
    assert session.exec(select(AccountLink.token_hash)).one() == hash_token(token)
    assert account_links.link_username(session, token, account_links.RESET) == "alice"

    user, ended = reset(session, token)

    assert user.id == alice.id and len(ended) == 2
    assert all(sessions.resolve(session, t) is None for t in tokens)
    assert devices.recognise(session, device, "alice") is None
    assert accounts.authenticate(session, "alice", NEW).id == alice.id
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "alice", "correct horse")
    with pytest.raises(account_links.InvalidLink):
        reset(session, token)
    assert account_links.link_username(session, token, account_links.RESET) is None
    audit = [(row.action, row.actor_id) for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]
    assert audit == [("user.reset_link", root.id), ("user.password_reset", alice.id)]


def test_a_bad_new_password_keeps_the_link(session, root, alice):
    _, token = account_links.issue_reset(session, root.id, alice.id)
    with pytest.raises(accounts.InvalidPassword):
        account_links.reset_password(session, token, NEW, "typo")
    with pytest.raises(accounts.InvalidPassword):
        account_links.reset_password(session, token, "short", "short")
    reset(session, token)


def test_a_newer_link_voids_the_older_and_expired_links_or_disabled_accounts_do_not_work(session, root, alice, bob):
    _, first = account_links.issue_reset(session, root.id, alice.id)
    _, second = account_links.issue_reset(session, root.id, alice.id)
    with pytest.raises(account_links.InvalidLink):
        reset(session, first)
    session.execute(update(AccountLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    with pytest.raises(account_links.InvalidLink):
        reset(session, second)
    _, bobs = account_links.issue_reset(session, root.id, bob.id)
    admin.disable_user(session, root.id, bob.id)
    with pytest.raises(account_links.InvalidLink):
        reset(session, bobs)
    for made_up in ("", "made-up", bobs[:-1]):
        with pytest.raises(account_links.InvalidLink):
            reset(session, made_up)
    assert accounts.authenticate(session, "alice", "correct horse").id == alice.id


def test_an_account_an_admin_creates_has_no_password_until_its_link_is_used(session, root):
    user, token = account_links.create_account(session, root.id, "newhire")
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate(session, "newhire", "")
    assert account_links.link_username(session, token, account_links.RESET) == "newhire"
    with pytest.raises(accounts.UsernameTaken):
        account_links.create_account(session, root.id, "NewHire")
    reset(session, token)
    assert accounts.authenticate(session, "newhire", NEW) == user
    assert session.exec(select(AuditEntry.action).where(AuditEntry.target == "user:newhire")).first() == "user.create"


def test_forgot_password_finds_an_account_by_name_or_verified_address_only(session, alice, bob):
    assert account_links.request_reset(session, "alice") is None  # no address yet
    verified(session, alice, "Alice@Example.org")
    a_day_passes(session)
    assert session.exec(select(User.email).where(User.id == alice.id)).one() == "Alice@Example.org"
    by_name = account_links.request_reset(session, "ALICE")
    by_address = account_links.request_reset(session, " alice@example.ORG ")
    assert by_name.address == by_address.address == "Alice@Example.org"
    assert by_name.username == "alice"
    # The newer link voids the older one; it works within the hour.
    with pytest.raises(account_links.InvalidLink):
        reset(session, by_name.token)
    reset(session, by_address.token)
    assert account_links.request_reset(session, "nobody@example.org") is None
    assert account_links.request_reset(session, "") is None
    expires = session.exec(select(AccountLink.expires_at).order_by(col(AccountLink.id).desc())).first()
    assert expires.replace(tzinfo=None) < (utcnow() + timedelta(minutes=61)).replace(tzinfo=None)


def test_an_address_belongs_to_one_account_and_can_be_removed(session, alice, bob):
    verified(session, alice, "shared@example.org")
    link = account_links.request_verify(session, bob.id, "SHARED@example.org")
    with pytest.raises(account_links.EmailInUse):
        account_links.verify_email(session, link.token)
    assert account_links.email_of(session, bob.id) == ""
    account_links.remove_email(session, alice.id)
    assert account_links.email_of(session, alice.id) == ""
    assert account_links.request_reset(session, "alice") is None
    verified(session, bob, "shared@example.org")
    assert account_links.email_of(session, bob.id) == "shared@example.org"


def test_an_address_check_works_once_and_bad_addresses_are_refused(session, alice):
    link = account_links.request_verify(session, alice.id, "alice@example.org")
    assert account_links.pending_address(session, link.token) == ("alice", "alice@example.org")
    assert account_links.email_of(session, alice.id) == ""  # asking is not confirming
    assert account_links.verify_email(session, link.token) == account_links.AddressChange(
        "alice", "alice@example.org", ""
    )
    assert account_links.pending_address(session, link.token) is None
    with pytest.raises(account_links.InvalidLink):
        account_links.verify_email(session, link.token)
    for bad in ("", "alice", "a@b", "a b@example.org", "a@@example.org", "x" * 250 + "@example.org"):
        with pytest.raises(account_links.InvalidEmail):
            account_links.request_verify(session, alice.id, bad)
    # A reset token is not an address check, and the other way round.
    with pytest.raises(account_links.InvalidLink):
        account_links.reset_password(session, link.token, NEW, NEW)


def test_a_changed_address_gets_no_emailed_reset_for_a_day_but_an_admins_link_works(session, root, alice):
    verified(session, alice, "alice@example.org")
    a_day_passes(session)
    assert account_links.request_reset(session, "alice") is not None
    link = account_links.request_verify(session, alice.id, "thief@example.net")
    assert account_links.verify_email(session, link.token) == account_links.AddressChange(
        "alice", "thief@example.net", "alice@example.org"
    )
    assert account_links.request_reset(session, "alice") is None
    assert account_links.request_reset(session, "thief@example.net") is None
    _, token = account_links.issue_reset(session, root.id, alice.id)
    assert reset(session, token)[0].username == "alice"
    a_day_passes(session)
    assert account_links.request_reset(session, "thief@example.net").address == "thief@example.net"


def test_confirming_the_same_address_again_is_no_change(session, alice):
    verified(session, alice, "alice@example.org")
    a_day_passes(session)
    link = account_links.request_verify(session, alice.id, "ALICE@example.org")
    assert account_links.verify_email(session, link.token).previous == ""
    assert account_links.request_reset(session, "alice") is not None
