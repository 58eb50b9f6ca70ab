"""A second factor turned on, used, renewed, turned off, reset by an administrator, or required: nobody's
screen changes (the person's own page shows the result), so no action here has events."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import accounts, admin, passkeys, second_factor


def start_enrolment(db: Session, user_id: int) -> Outcome[second_factor.Enrolment]:
    """A new secret for the user's authenticator app, to confirm with its first code."""
    return Outcome(second_factor.start_enrolment(db, user_id))


def confirm_enrolment(db: Session, user_id: int, code: str) -> Outcome[list[str]]:
    """The app's first code turns two-factor sign-in on; the recovery codes, shown once."""
    return Outcome(second_factor.confirm_enrolment(db, user_id, code))


def use_code(db: Session, user_id: int, code: str) -> Outcome[str]:
    """The code step of a sign-in: which factor the code was (second_factor.APP or RECOVERY)."""
    return Outcome(second_factor.verify(db, user_id, code))


def turn_off(db: Session, user_id: int, password: str, code: str) -> Outcome[None]:
    """Two-factor sign-in off, the password and a code checked (bcrypt: perform_hashing)."""
    second_factor.turn_off(db, user_id, password, code)
    return Outcome(None)


def new_recovery_codes(db: Session, user_id: int, code: str) -> Outcome[list[str]]:
    """Fresh recovery codes for a code; the old ones stop working."""
    return Outcome(second_factor.new_recovery_codes(db, user_id, code))


def add_passkey(
    db: Session, user_id: int, name: str, credential: str, challenge: str, origin: str, rp_id: str
) -> Outcome[passkeys.PasskeyView]:
    """Keep the passkey the user's browser created (checked); audited."""
    return Outcome(passkeys.register(db, user_id, name, credential, challenge, origin, rp_id))


def use_passkey(
    db: Session, credential: str, challenge: str, origin: str, rp_id: str, user_id: int | None = None
) -> Outcome[accounts.UserView]:
    """Whom a passkey signs in (its counter moves on)."""
    return Outcome(passkeys.authenticate(db, credential, challenge, origin, rp_id, user_id))


def remove_passkey(db: Session, user_id: int, passkey_id: int) -> Outcome[None]:
    """The user removes one of their passkeys; audited."""
    passkeys.remove(db, user_id, passkey_id)
    return Outcome(None)


def reset(db: Session, actor_id: int, user_id: int) -> Outcome[str]:
    """An administrator removes someone's second factor; audited. Their name."""
    return Outcome(admin.reset_second_factor(db, actor_id, user_id))


def reset_from_terminal(db: Session, username: str) -> Outcome[str]:
    """The CLI removes someone's second factor (the last administrator's way back in); audited."""
    return Outcome(admin.reset_second_factor_of(db, username))


def require(db: Session, actor_id: int, chosen: str) -> Outcome[str]:
    """An administrator chooses who must have a second factor; audited."""
    return Outcome(admin.require_second_factor(db, actor_id, chosen))
