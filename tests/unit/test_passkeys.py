"""Passkeys (domain/passkeys.py) against a software authenticator: registering checks challenge, origin, site and
user verification; signing in finds the account by the passkey alone or requires it to be the awaited user's;
a cloned authenticator (its counter going back), another site's or origin's answer, or someone else's passkey
are refused with the same words; removing and the per-account cap; passkeys count as a second factor."""

import json

import pytest
from sqlalchemy import update
from sqlmodel import select

from djangochat_rx import settings
from djangochat_rx.domain import admin, passkeys, second_factor, sessions
from djangochat_rx.models import AuditEntry, Passkey, User
from tests.support.authenticator import SoftAuthenticator

ORIGIN, RP = "http://localhost:3000", "localhost"


def add(session, user, authenticator=None, name="laptop"):
    authenticator = authenticator or SoftAuthenticator(RP, ORIGIN)
    ceremony = passkeys.registration(session, user.id, RP)
    view = passkeys.register(
        session, user.id, name, authenticator.create(ceremony.options), ceremony.challenge, ORIGIN, RP
    )
    return authenticator, view


def sign_in(session, authenticator, user_id=None, answered_from=ORIGIN, count=1):
    """A ceremony on our page (ORIGIN, RP), answered by the authenticator as if from `answered_from`."""
    ceremony = passkeys.authentication(session, RP, user_id)
    answer = authenticator.get(ceremony.options, origin=answered_from, count=count)
    return passkeys.authenticate(session, answer, ceremony.challenge, ORIGIN, RP, user_id)


def test_a_registered_passkey_signs_its_owner_in_alone_and_as_their_second_factor(session, alice):
    authenticator, view = add(session, alice)
    assert view.name == "laptop" and view.last_used_at == ""
    options = json.loads(passkeys.registration(session, alice.id, RP).options)
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    stored = session.exec(select(Passkey.credential_id)).one()
    assert [known["id"] for known in options["excludeCredentials"]] == [stored]
    assert sign_in(session, authenticator) == alice  # passwordless: found by the passkey
    assert sign_in(session, authenticator, user_id=alice.id) == alice  # the code step's
    (listed,) = passkeys.listed(session, alice.id)
    assert listed.last_used_at != ""
    assert second_factor.is_enrolled(session, alice.id)  # a passkey is a second factor


def test_someone_elses_passkey_is_no_second_factor_for_you_and_says_nothing_of_whose_it_is(session, alice, bob):
    bobs, _ = add(session, bob)
    with pytest.raises(passkeys.PasskeyError) as refused:
        sign_in(session, bobs, user_id=alice.id)
    assert str(refused.value) == passkeys.REFUSED
    stranger = SoftAuthenticator(RP, ORIGIN)  # never registered
    with pytest.raises(passkeys.PasskeyError) as unknown:
        sign_in(session, stranger)
    assert str(unknown.value) == passkeys.REFUSED


def test_an_answer_for_another_origin_or_site_or_without_user_verification_is_refused(session, alice):
    authenticator, _ = add(session, alice)
    with pytest.raises(passkeys.PasskeyError):
        sign_in(session, authenticator, answered_from="https://evil.example")  # a phishing page relaying
    with pytest.raises(passkeys.PasskeyError):
        ceremony = passkeys.authentication(session, RP)
        passkeys.authenticate(session, authenticator.get(ceremony.options), ceremony.challenge, ORIGIN, "other.example")
    authenticator.user_verified = False
    with pytest.raises(passkeys.PasskeyError):
        sign_in(session, authenticator)
    # Registering: the same checks.
    for origin, rp, verified in (
        ("https://evil.example", RP, True),
        (ORIGIN, "evil.example", True),
        (ORIGIN, RP, False),
    ):
        other = SoftAuthenticator(RP, ORIGIN, user_verified=verified)
        ceremony = passkeys.registration(session, alice.id, RP)
        with pytest.raises(passkeys.PasskeyError, match="could not be added"):
            passkeys.register(
                session,
                alice.id,
                "x",
                other.create(ceremony.options, origin=origin, rp_id=rp),
                ceremony.challenge,
                ORIGIN,
                RP,
            )
    assert len(passkeys.listed(session, alice.id)) == 1


def test_an_answer_to_another_challenge_or_a_cloned_authenticator_is_refused(session, alice):
    authenticator, _ = add(session, alice)
    first = passkeys.authentication(session, RP)
    second = passkeys.authentication(session, RP)
    with pytest.raises(passkeys.PasskeyError):
        passkeys.authenticate(session, authenticator.get(first.options), second.challenge, ORIGIN, RP)
    sign_in(session, authenticator, count=5)
    clone = SoftAuthenticator(RP, ORIGIN, key=authenticator.key, credential_id=authenticator.credential_id, counter=1)
    with pytest.raises(passkeys.PasskeyError):  # its counter is behind the stored one
        sign_in(session, clone)


def test_a_disabled_account_signs_in_with_no_passkey(session, alice):
    authenticator, _ = add(session, alice)
    session.execute(update(User).where(User.id == alice.id).values(is_active=False))
    session.commit()
    with pytest.raises(passkeys.PasskeyError):
        sign_in(session, authenticator)


def test_removing_the_cap_and_the_audit_log(session, alice, bob, monkeypatch):
    _, laptop = add(session, alice)
    passkeys.remove(session, bob.id, laptop.id)  # someone else's id changes nothing
    assert len(passkeys.listed(session, alice.id)) == 1
    passkeys.remove(session, alice.id, laptop.id)
    assert passkeys.listed(session, alice.id) == []
    monkeypatch.setattr(settings, "PASSKEYS_PER_USER", 1)
    add(session, alice, name="phone")
    with pytest.raises(passkeys.PasskeyError, match="at most 1 passkeys"):
        passkeys.registration(session, alice.id, RP)
    actions = session.exec(select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.actor_id == alice.id)).all()
    assert actions == [("passkey.add", "laptop"), ("passkey.remove", "laptop"), ("passkey.add", "phone")]


def test_an_admins_reset_removes_passkeys_too_and_a_passkey_satisfies_a_requirement(session, root, alice):
    add(session, alice)
    assert not sessions.resolve(session, sessions.issue(session, alice.id)).must_enrol
    add(session, root)
    admin.require_second_factor(session, root.id, "everyone")  # root's passkey is their own factor
    assert not sessions.resolve(session, sessions.issue(session, alice.id)).must_enrol
    admin.reset_second_factor(session, root.id, alice.id)
    assert passkeys.listed(session, alice.id) == []
    assert sessions.resolve(session, sessions.issue(session, alice.id)).must_enrol
