"""Two-factor sign-in with an authenticator app (TOTP) and recovery codes: enrolling, codes that work once,
the clock's window, turning it off, what administrators may require and reset, and how sessions record it."""

import base64
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import func
from sqlmodel import select

from djangochat_rx.domain import accounts, admin, second_factor, sessions
from djangochat_rx.models import AuditEntry, RecoveryCode, TotpDevice

# The clock the codes are checked against, frozen in the middle of a 30-second step: which step a code
# belongs to never depends on when the test runs.
NOW = datetime(2026, 12, 7, 15, 0, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(second_factor, "utcnow", lambda: NOW)


def code_at(secret: str, seconds_from_now: int) -> str:
    return pyotp.TOTP(secret).at(NOW + timedelta(seconds=seconds_from_now))


def wrong_code(secret: str) -> str:
    """A 6-digit code that is none of the codes of the steps around now."""
    near = {code_at(secret, seconds) for seconds in range(-60, 61, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in near)


def enrol(session, user) -> tuple[str, list[str]]:
    """Turn on the factor for `user` as the two-factor page does: (secret, recovery codes)."""
    secret = second_factor.start_enrolment(session, user.id).secret
    return secret, second_factor.confirm_enrolment(session, user.id, code_at(secret, 0))


def test_enrolling_shows_a_qr_code_drawn_here_and_turns_on_only_with_the_apps_first_code(session, alice):
    enrolment = second_factor.start_enrolment(session, alice.id)
    assert len(base64.b32decode(enrolment.secret)) == 20  # 160 bits
    assert (
        enrolment.uri.startswith("otpauth://totp/") and "alice" in enrolment.uri and enrolment.secret in enrolment.uri
    )
    assert enrolment.qr.startswith("data:image/svg+xml")
    assert second_factor.status(session, alice.id).pending
    with pytest.raises(second_factor.WrongCode):
        second_factor.confirm_enrolment(session, alice.id, wrong_code(enrolment.secret))
    assert not second_factor.is_enrolled(session, alice.id)
    codes = second_factor.confirm_enrolment(session, alice.id, code_at(enrolment.secret, 0))
    assert second_factor.is_enrolled(session, alice.id)
    assert len(codes) == len(set(codes)) == second_factor.RECOVERY_CODES
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    stored = session.exec(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == alice.id)).all()
    assert len(stored) == 10 and not {code.replace("-", "") for code in codes} & set(stored)  # only hashes kept
    with pytest.raises(second_factor.AlreadyEnrolled):
        second_factor.start_enrolment(session, alice.id)


def test_starting_again_before_confirming_replaces_the_unconfirmed_secret(session, alice):
    first = second_factor.start_enrolment(session, alice.id).secret
    second = second_factor.start_enrolment(session, alice.id).secret
    assert first != second
    with pytest.raises(second_factor.WrongCode):
        # the first secret's code (unless it happens to be one of the second's too: then any wrong one)
        stale = code_at(first, 0)
        stale = stale if stale not in {code_at(second, seconds) for seconds in (-30, 0, 30)} else wrong_code(second)
        second_factor.confirm_enrolment(session, alice.id, stale)
    second_factor.confirm_enrolment(session, alice.id, code_at(second, 0))


def test_a_code_from_the_app_works_once(session, alice):
    secret, _ = enrol(session, alice)
    code = code_at(secret, 30)  # the next step's code (the confirmation used this step's)
    assert second_factor.verify(session, alice.id, code) == second_factor.APP
    with pytest.raises(second_factor.WrongCode):
        second_factor.verify(session, alice.id, code)


def test_codes_one_step_either_side_pass_and_older_or_newer_ones_do_not(session, alice):
    secret, _ = enrol(session, alice)
    session.exec(select(TotpDevice)).one().last_step = 0  # forget the confirming step, to try each window
    session.commit()
    for seconds in (-90, -60, 60, 90):
        with pytest.raises(second_factor.WrongCode):
            second_factor.verify(session, alice.id, code_at(secret, seconds))
    assert second_factor.verify(session, alice.id, code_at(secret, -30)) == second_factor.APP
    assert second_factor.verify(session, alice.id, code_at(secret, 30)) == second_factor.APP
    with pytest.raises(second_factor.WrongCode):  # an older step than one already used
        second_factor.verify(session, alice.id, code_at(secret, 0))


def test_each_recovery_code_works_once_typed_any_way(session, alice, bob):
    _, codes = enrol(session, alice)
    _, bobs = enrol(session, bob)
    assert second_factor.verify(session, alice.id, codes[0].upper().replace("-", " ")) == second_factor.RECOVERY
    with pytest.raises(second_factor.WrongCode):
        second_factor.verify(session, alice.id, codes[0])
    with pytest.raises(second_factor.WrongCode):  # someone else's code
        second_factor.verify(session, alice.id, bobs[0])
    assert second_factor.status(session, alice.id).recovery_codes_left == 9
    for junk in ("", "12345", "1234567", "not a code at all", "a" * 5000):
        with pytest.raises(second_factor.WrongCode):
            second_factor.verify(session, alice.id, junk)


def test_someone_without_a_factor_has_no_code_that_works(session, alice):
    with pytest.raises(second_factor.WrongCode):
        second_factor.verify(session, alice.id, "123456")
    second_factor.start_enrolment(session, alice.id)  # started, never confirmed
    with pytest.raises(second_factor.WrongCode):
        second_factor.verify(session, alice.id, "123456")


def test_new_recovery_codes_replace_the_old_ones(session, alice):
    secret, old = enrol(session, alice)
    new = second_factor.new_recovery_codes(session, alice.id, code_at(secret, 30))
    assert not set(new) & set(old)
    with pytest.raises(second_factor.WrongCode):
        second_factor.verify(session, alice.id, old[1])
    assert second_factor.verify(session, alice.id, new[1]) == second_factor.RECOVERY


def test_turning_off_needs_the_password_and_a_code(session, alice):
    secret, codes = enrol(session, alice)
    with pytest.raises(accounts.WrongCurrentPassword):
        second_factor.turn_off(session, alice.id, "wrong password", code_at(secret, 30))
    with pytest.raises(second_factor.WrongCode):
        second_factor.turn_off(session, alice.id, "correct horse", wrong_code(secret))
    assert second_factor.is_enrolled(session, alice.id)
    second_factor.turn_off(session, alice.id, "correct horse", codes[0])
    assert not second_factor.is_enrolled(session, alice.id)
    assert session.exec(select(func.count()).select_from(RecoveryCode)).one() == 0
    with pytest.raises(second_factor.NotEnrolled):
        second_factor.turn_off(session, alice.id, "correct horse", codes[1])


@pytest.mark.parametrize(
    ("rule", "is_admin", "enrolled", "must"),
    [
        (None, True, False, False),
        ("off", True, False, False),
        ("admins", True, False, True),
        ("admins", False, False, False),
        ("admins", True, True, False),
        ("everyone", False, False, True),
        ("everyone", False, True, False),
    ],
)
def test_who_must_enrol(rule, is_admin, enrolled, must):
    assert second_factor.must_enrol(rule, is_admin, enrolled) is must


def test_requiring_a_factor_needs_ones_own_and_holds_the_others_sessions_to_enrolling(session, root, alice):
    alice_token = sessions.issue(session, alice.id)
    with pytest.raises(admin.OwnFactorFirst):
        admin.require_second_factor(session, root.id, "everyone")
    with pytest.raises(admin.InvalidRequirement):
        admin.require_second_factor(session, root.id, "sometimes")
    with pytest.raises(admin.NotAdmin):
        admin.require_second_factor(session, alice.id, "off")
    enrol(session, root)
    assert admin.require_second_factor(session, root.id, "admins") == "admins"
    assert not sessions.resolve(session, alice_token).must_enrol
    assert admin.require_second_factor(session, root.id, "everyone") == "everyone"
    assert sessions.resolve(session, alice_token).must_enrol
    assert not sessions.resolve(session, sessions.issue(session, root.id)).must_enrol
    assert second_factor.status(session, alice.id).required
    secret, _ = enrol(session, alice)
    assert not sessions.resolve(session, alice_token).must_enrol
    with pytest.raises(second_factor.StillRequired):
        second_factor.turn_off(session, alice.id, "correct horse", code_at(secret, 30))
    actions = session.exec(select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.actor_id == root.id)).all()
    assert actions == [
        ("second_factor.on", ""),
        ("signup.second_factor", "off → admins"),
        ("signup.second_factor", "admins → everyone"),
    ]


def test_an_admin_or_the_terminal_resets_someones_factor_and_the_log_says_so(session, root, alice, bob):
    enrol(session, alice)
    enrol(session, bob)
    with pytest.raises(admin.NotAdmin):
        admin.reset_second_factor(session, bob.id, alice.id)
    assert admin.reset_second_factor(session, root.id, alice.id) == "alice"
    assert not second_factor.is_enrolled(session, alice.id)
    assert admin.reset_second_factor_of(session, "BOB") == "bob"
    assert not second_factor.is_enrolled(session, bob.id)
    with pytest.raises(admin.UserNotFound):
        admin.reset_second_factor_of(session, "nobody")
    entries = session.exec(
        select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.target).where(AuditEntry.action.contains("reset"))
    ).all()
    assert entries == [
        (root.id, "user.second_factor_reset", "user:alice"),
        (None, "user.second_factor_reset", "user:bob"),
    ]
    assert [user.two_factor for user in admin.list_users(session, root.id)] == [False, False, False]


def test_the_admin_list_shows_who_has_a_factor(session, root, alice, bob):
    enrol(session, bob)
    assert {user.username: user.two_factor for user in admin.list_users(session, root.id)} == {
        "alice": False,
        "bob": True,
        "root": False,
    }


def test_turning_on_off_and_new_codes_are_in_the_audit_log(session, alice):
    secret, codes = enrol(session, alice)
    second_factor.new_recovery_codes(session, alice.id, codes[0])
    second_factor.turn_off(session, alice.id, "correct horse", code_at(secret, 30))
    entries = session.exec(select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.target)).all()
    assert entries == [
        (alice.id, "second_factor.on", "user:alice"),
        (alice.id, "second_factor.new_codes", "user:alice"),
        (alice.id, "second_factor.off", "user:alice"),
    ]


def test_a_session_remembers_how_it_was_opened(session, alice):
    sessions.issue(session, alice.id, "Firefox", "password reset", second_factor.RECOVERY)
    (view,) = sessions.active_sessions(session, alice.id)
    assert (view.sign_in, view.second_factor) == ("password reset", "recovery code")
