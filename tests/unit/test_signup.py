"""Who may join (signup.py): an empty instance's setup, the three sign-up modes, invite links."""

import inspect
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from djangochat_rx.domain import account_links, accounts, admin, signup
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.models import AuditEntry, Invite, SiteSetting, User, utcnow
from tests.unit.conftest import make_admin

PASSWORD = "long enough"


def actions(session) -> list[tuple[str, str]]:
    return [(row.action, row.target) for row in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def users(session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def join(session, name: str, invite: str = "") -> accounts.UserView:
    return signup.register(session, name, PASSWORD, PASSWORD, invite)


def test_an_empty_instance_is_not_open_it_waits_for_its_first_administrator(session):
    assert signup.policy(session) == signup.Policy("invite", needs_setup=True)
    assert signup.register_form(session) == "setup"
    with pytest.raises(signup.SignupClosed):
        join(session, "eager")
    assert users(session) == 0

    root = signup.set_up(session, "root", PASSWORD, PASSWORD, "invite")

    assert session.exec(select(User.is_admin).where(User.id == root.id)).one()
    assert signup.policy(session) == signup.Policy("invite", needs_setup=False)
    assert actions(session) == [("user.create_admin", "user:root"), ("signup.mode", "site")]
    assert accounts.authenticate(session, "root", PASSWORD).id == root.id


def test_setting_up_twice_fails_and_changes_nothing(session):
    signup.set_up(session, "root", PASSWORD, PASSWORD, "closed")
    with pytest.raises(signup.AlreadySetUp):
        signup.set_up(session, "usurper", PASSWORD, PASSWORD, "open")
    assert not accounts.user_exists(session, "usurper")
    assert signup.policy(session).mode == "closed"


def test_the_setup_form_checks_its_fields_before_anything_is_written(session):
    with pytest.raises(accounts.InvalidPassword):
        signup.set_up(session, "root", PASSWORD, "other", "open")
    with pytest.raises(signup.InvalidChoice):
        signup.set_up(session, "root", PASSWORD, PASSWORD, "everyone")
    assert users(session) == 0 and signup.policy(session).needs_setup


def test_an_instance_set_up_from_the_terminal_is_invite_only_until_an_admin_chooses(session):
    admin.create_superuser(session, "root", PASSWORD, PASSWORD)
    assert signup.policy(session) == signup.Policy("invite", needs_setup=False)
    assert signup.register_form(session) == "invite"
    with pytest.raises(signup.InviteRequired):
        join(session, "stranger")


def test_open_sign_up_lets_anyone_register(session, root):
    signup.set_mode(session, root.id, "open")
    assert signup.register_form(session) == "form"
    person = join(session, "newcomer")
    assert accounts.authenticate(session, "newcomer", PASSWORD) == person
    assert ("signup.mode", "site") in actions(session)


def test_an_invite_admits_as_many_people_as_it_says_then_no_more(session, root):
    signup.set_mode(session, root.id, "invite")
    invite, token = signup.create_invite(session, root.id, days=7, uses=2, note="  design   team ")
    assert (invite.note, invite.max_uses, invite.uses, invite.status, invite.created_by) == (
        "design team",
        2,
        0,
        "active",
        "root",
    )
    # 256 random bits, and the database holds only the hash.
    assert len(token) >= 43
    stored = session.exec(select(Invite.token_hash)).one()
    assert stored == hash_token(token) and token not in stored

    assert signup.register_form(session, token) == "form"
    join(session, "first", token)
    join(session, "second", token)
    assert signup.register_form(session, token) == "invalid invite"
    with pytest.raises(signup.InvalidInvite):
        join(session, "third", token)
    assert not accounts.user_exists(session, "third")
    [listed] = signup.list_invites(session, root.id)
    assert (listed.uses, listed.status) == (2, "used up")
    assert actions(session)[-2:] == [("invite.use", f"invite:{invite.id}")] * 2


def test_a_taken_name_does_not_spend_an_invite(session, root, alice):
    signup.set_mode(session, root.id, "invite")
    _, token = signup.create_invite(session, root.id, days=1, uses=1)
    with pytest.raises(accounts.UsernameTaken):
        join(session, "ALICE", token)
    assert signup.list_invites(session, root.id)[0].uses == 0
    join(session, "alicia", token)


def test_expired_revoked_and_made_up_invites_admit_nobody(session, root):
    signup.set_mode(session, root.id, "invite")
    expired, old = signup.create_invite(session, root.id, days=1, uses=5)
    session.execute(update(Invite).where(col(Invite.id) == expired.id).values(expires_at=utcnow() - timedelta(1)))
    session.commit()
    revoked, gone = signup.create_invite(session, root.id, days=1, uses=5)
    signup.revoke_invite(session, root.id, revoked.id)
    for token in (old, gone, "made-up-token", gone + "x"):
        with pytest.raises(signup.InvalidInvite):
            join(session, "hopeful", token)
    assert {invite.id: invite.status for invite in signup.list_invites(session, root.id)} == {
        expired.id: "expired",
        revoked.id: "revoked",
    }
    assert ("invite.revoke", f"invite:{revoked.id}") in actions(session)


def test_closed_sign_up_refuses_even_a_good_invite(session, root):
    _, token = signup.create_invite(session, root.id, days=1, uses=5)
    signup.set_mode(session, root.id, "closed")
    assert signup.register_form(session, token) == "closed"
    with pytest.raises(signup.SignupClosed):
        join(session, "hopeful", token)
    signup.set_mode(session, root.id, "invite")
    join(session, "hopeful", token)


def test_invite_limits_come_from_the_settings(session, root):
    for days, uses in ((0, 1), (31, 1), (1, 0), (1, 501)):
        with pytest.raises(signup.InvalidChoice):
            signup.create_invite(session, root.id, days=days, uses=uses)
    with pytest.raises(signup.InvalidChoice):
        signup.set_mode(session, root.id, "anyone")
    assert session.exec(select(func.count()).select_from(Invite)).one() == 0


# Every function of signup.py and account_links.py an administrator calls: (function, its arguments after
# the actor) for the enumeration below.
ADMIN_CALLS = {
    signup.set_mode: lambda t: ("open",),
    signup.set_domain: lambda t: ("example.org",),
    signup.create_invite: lambda t: (7, 5, "x"),
    signup.list_invites: lambda t: (),
    signup.revoke_invite: lambda t: (t.invite_id,),
    account_links.issue_reset: lambda t: (t.user_id,),
    account_links.create_account: lambda t: ("planted",),
}


def test_the_admin_call_list_covers_every_function_that_takes_an_actor():
    found = {
        fn
        for module in (signup, account_links)
        for _, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__
        and not fn.__name__.startswith("_")
        and list(inspect.signature(fn).parameters)[1:2] == ["actor_id"]
    }
    assert found == set(ADMIN_CALLS)


@pytest.mark.parametrize("fn", list(ADMIN_CALLS), ids=lambda fn: fn.__name__)
def test_non_admins_get_nothing_from_any_sign_up_function(session, root, alice, bob, fn):
    signup.set_mode(session, root.id, "invite")
    invite, _ = signup.create_invite(session, root.id, days=1, uses=1)
    before = (actions(session), users(session), session.exec(select(SiteSetting.value)).all())
    targets = SimpleNamespace(user_id=bob.id, invite_id=invite.id)
    former = make_admin(session, accounts.register(session, "former", PASSWORD, PASSWORD))
    session.execute(update(User).where(User.id == former.id).values(is_active=False))
    session.commit()
    for actor_id in (alice.id, former.id, 10_000):
        with pytest.raises(admin.NotAdmin):
            fn(session, actor_id, *ADMIN_CALLS[fn](targets))
    assert (actions(session), users(session) - 1, session.exec(select(SiteSetting.value)).all()) == before
    assert signup.list_invites(session, root.id)[0].status == "active"
    fn(session, root.id, *ADMIN_CALLS[fn](targets))


def test_open_sign_up_for_one_domain_starts_with_a_link_to_the_address(session, root, alice):
    signup.set_mode(session, root.id, "open")
    assert signup.set_domain(session, root.id, " @Example.ORG ") == "example.org"
    assert signup.policy(session).domain == "example.org"
    assert signup.register_form(session) == "email"
    with pytest.raises(signup.AddressRequired, match=r"@example\.org"):
        join(session, "walkin")
    with pytest.raises(account_links.InvalidEmail, match=r"@example\.org"):
        signup.request_signup(session, "me@elsewhere.com")

    mail = signup.request_signup(session, "New.Person@example.org")
    assert mail.token and not mail.username
    assert signup.register_form(session, mail.token) == "form"
    person = join(session, "newperson", mail.token)
    assert account_links.email_of(session, person.id) == "New.Person@example.org"
    with pytest.raises(signup.InvalidInvite):
        join(session, "again", mail.token)
    # The same address again: a reminder of the account, no second account; admins' lists stay clean.
    assert signup.request_signup(session, "new.person@EXAMPLE.org") == signup.SignupMail(
        "new.person@EXAMPLE.org", username="newperson"
    )
    assert signup.list_invites(session, root.id) == []
    # Admins' invite links still work; lifting the limit opens sign-up to anyone again.
    _, token = signup.create_invite(session, root.id, days=1, uses=1)
    join(session, "guest", token)
    signup.set_domain(session, root.id, "")
    join(session, "anyone")
    assert [a for a, _ in actions(session)].count("signup.domain") == 2


def test_the_domain_must_look_like_one_and_only_applies_to_open_sign_up(session, root):
    for bad in ("localhost", "exa mple.com", "-x.com", "a@b.com", "x" * 300 + ".com"):
        with pytest.raises(signup.InvalidChoice):
            signup.set_domain(session, root.id, bad)
    signup.set_domain(session, root.id, "example.org")
    signup.set_mode(session, root.id, "invite")
    assert signup.register_form(session) == "invite"
    with pytest.raises(signup.InviteRequired):
        signup.request_signup(session, "me@example.org")
