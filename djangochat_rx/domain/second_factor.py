"""A second factor at sign-in: an authenticator app (TOTP, RFC 6238, with pyotp) and single-use recovery codes.

- Enrolling: `start_enrolment` makes a secret (shown as a QR code drawn here, with segno, and as text);
  `confirm_enrolment` takes the app's first code, turns the factor on and hands out RECOVERY_CODES recovery
  codes, shown once; we store their SHA-256 only.
- Signing in: after the password (or a reset link), `verify` takes a code from the app or a recovery code.
  A code from the app works once (the accepted 30-second step is stored: a code seen over a shoulder cannot
  be used again), a recovery code once. The caller charges every attempt to throttle.before_second_factor.
- Turning it off needs the password and a code. Administrators may require a factor for themselves or for
  everyone (admin.require_second_factor): people without one are sent to enrol after they sign in
  (`must_enrol`); and may reset someone's factor (admin.reset_second_factor). The audit log records both.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal, cast

import pyotp
import segno
from sqlalchemy import ColumnElement, delete, exists, or_, update
from sqlmodel import Session, col, func, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import accounts
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import Passkey, RecoveryCode, SiteSetting, TotpDevice, User, utcnow

Requirement = Literal["off", "admins", "everyone"]
REQUIREMENTS: tuple[Requirement, ...] = ("off", "admins", "everyone")
REQUIREMENT_KEY = "second_factor_required"
REQUIREMENT_LABELS: dict[str, str] = {
    "off": "Optional: each person chooses",
    "admins": "Required for administrators",
    "everyone": "Required for everyone",
}
RECOVERY_CODES = 10
# Which second factor a session was opened with (sessions.sign_in's companion column).
APP = "authenticator app"
RECOVERY = "recovery code"
PASSKEY = "passkey"
# A recovery code: 10 random bytes, 16 base32 letters shown in groups of four.
_RECOVERY_BYTES = 10


class SecondFactorError(accounts.AccountError):
    """The second factor could not be used or changed as asked; the message is safe to show."""


class WrongCode(SecondFactorError):
    def __init__(self) -> None:
        super().__init__(
            "That code is not right. Type the 6 digits your authenticator app shows now, or a recovery code."
        )


class NotEnrolled(SecondFactorError):
    def __init__(self) -> None:
        super().__init__("Two-factor sign-in is not on for your account.")


class AlreadyEnrolled(SecondFactorError):
    def __init__(self) -> None:
        super().__init__("Two-factor sign-in is already on. Turn it off first to set up another app.")


class StillRequired(SecondFactorError):
    def __init__(self) -> None:
        super().__init__("Your server's administrators require a second factor: it cannot be turned off.")


@dataclass(frozen=True)
class Status:
    """Where a person's second factor stands, for the two-factor page."""

    # An authenticator app is on.
    enrolled: bool
    # Enrolment started (a secret shown) but its first code not yet given.
    pending: bool
    recovery_codes_left: int
    # The instance requires a factor for this person (they cannot turn it off).
    required: bool


@dataclass(frozen=True)
class Enrolment:
    """A fresh secret to show: as text (typed into an app by hand), as an otpauth:// link, as a QR code."""

    secret: str
    uri: str
    qr: str


def has_factor(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: the user `user_id` has a second factor: an authenticator app turned on, or a passkey (sessions.resolve
    reads it with the session)."""
    return or_(
        exists().where(TotpDevice.user_id == user_id, col(TotpDevice.confirmed_at).is_not(None)),
        exists().where(Passkey.user_id == user_id),
    )


def requirement_column() -> ColumnElement[str | None]:
    """SQL: the instance's stored requirement (None: never chosen, which is "off")."""
    return select(SiteSetting.value).where(SiteSetting.key == REQUIREMENT_KEY).scalar_subquery()


def must_enrol(requirement: str | None, is_admin: bool, enrolled: bool) -> bool:
    """Whether someone signed in must turn on a second factor before anything else."""
    return not enrolled and (requirement == "everyone" or (requirement == "admins" and is_admin))


def requirement(db: Session) -> Requirement:
    """Who must have a second factor (REQUIREMENTS; "off" until an administrator chooses)."""
    stored = db.exec(select(SiteSetting.value).where(SiteSetting.key == REQUIREMENT_KEY)).first()
    return cast(Requirement, stored) if stored in REQUIREMENTS else "off"


def is_enrolled(db: Session, user_id: int) -> bool:
    return bool(db.exec(select(has_factor(user_id))).one())


def status(db: Session, user_id: int) -> Status:
    device = db.exec(select(TotpDevice).where(TotpDevice.user_id == user_id)).first()
    left = db.exec(
        select(func.count()).where(RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))
    ).one()
    is_admin = bool(db.exec(select(User.is_admin).where(User.id == user_id)).first())
    enrolled = device is not None and device.confirmed_at is not None
    view = Status(
        enrolled=enrolled,
        pending=device is not None and not enrolled,
        recovery_codes_left=left if enrolled else 0,
        required=must_enrol(requirement(db), is_admin, False),
    )
    db.rollback()
    return view


def qr_svg(uri: str) -> str:
    """The otpauth:// link as a QR code, an SVG data URI drawn here (no third party sees the secret)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff", border=2)


def start_enrolment(db: Session, user_id: int) -> Enrolment:
    """A new secret for the user's authenticator app, kept unconfirmed until its first code comes back
    (a secret shown earlier and never confirmed is replaced). AlreadyEnrolled when a factor is on."""
    database.begin_write(db)
    device = db.exec(select(TotpDevice).where(TotpDevice.user_id == user_id).with_for_update()).first()
    if device is not None and device.confirmed_at is not None:
        db.rollback()
        raise AlreadyEnrolled()
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    secret = pyotp.random_base32()  # 160 bits
    if device is None:
        db.add(TotpDevice(user_id=user_id, secret=secret))
    else:
        device.secret, device.created_at, device.last_step = secret, utcnow(), 0
    db.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=settings.TOTP_ISSUER)
    return Enrolment(secret=secret, uri=uri, qr=qr_svg(uri))


def confirm_enrolment(db: Session, user_id: int, code: str) -> list[str]:
    """The app's first code turns the factor on; the new recovery codes, shown once (WrongCode otherwise)."""
    database.begin_write(db)
    device = db.exec(select(TotpDevice).where(TotpDevice.user_id == user_id).with_for_update()).first()
    if device is None:
        db.rollback()
        raise NotEnrolled()
    if device.confirmed_at is not None:
        db.rollback()
        raise AlreadyEnrolled()
    step = _matching_step(device.secret, _digits(code))
    if step is None:
        db.rollback()
        raise WrongCode()
    device.confirmed_at, device.last_step = utcnow(), step
    codes = _replace_recovery_codes(db, user_id)
    _audit(db, user_id, "second_factor.on")
    db.commit()
    return codes


def verify(db: Session, user_id: int, code: str) -> str:
    """Accept a code from the user's app or one of their recovery codes, once; which one it was (APP or
    RECOVERY). WrongCode for anything else, a code used before included."""
    digits = _digits(code)
    if digits:
        secret = db.exec(
            select(TotpDevice.secret).where(TotpDevice.user_id == user_id, col(TotpDevice.confirmed_at).is_not(None))
        ).first()
        step = _matching_step(secret, digits) if secret else None
        if step is not None and _claim(
            db,
            update(TotpDevice)
            .where(TotpDevice.user_id == user_id, col(TotpDevice.confirmed_at).is_not(None))
            .where(col(TotpDevice.last_step) < step)
            .values(last_step=step),
        ):
            return APP
        db.rollback()
        raise WrongCode()
    recovery = _recovery_text(code)
    if recovery and is_enrolled(db, user_id):
        claimed = _claim(
            db,
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.code_hash == _hash(recovery))
            .where(col(RecoveryCode.used_at).is_(None))
            .values(used_at=utcnow()),
        )
        if claimed:
            return RECOVERY
    db.rollback()
    raise WrongCode()


def turn_off(db: Session, user_id: int, password: str, code: str) -> None:
    """The user turns their second factor off, with their password and a code (bcrypt: run on its pool, charged
    to the password and second-factor budgets first); passkeys stay. StillRequired when the instance requires a
    factor of them and they have no passkey."""
    now = status(db, user_id)
    if not now.enrolled:
        raise NotEnrolled()
    has_passkey = db.exec(select(Passkey.id).where(Passkey.user_id == user_id)).first() is not None
    if now.required and not has_passkey:
        raise StillRequired()
    accounts.check_current_password(db, user_id, password)
    verify(db, user_id, code)
    database.begin_write(db)
    _remove_app(db, user_id)
    _audit(db, user_id, "second_factor.off")
    db.commit()


def new_recovery_codes(db: Session, user_id: int, code: str) -> list[str]:
    """Fresh recovery codes (the old ones stop working), a code from the app or a recovery code given."""
    verify(db, user_id, code)
    database.begin_write(db)
    codes = _replace_recovery_codes(db, user_id)
    _audit(db, user_id, "second_factor.new_codes")
    db.commit()
    return codes


def code_now(secret: str) -> str:
    """The code an app shows now for `secret` (the tests' authenticator app)."""
    return pyotp.TOTP(secret).now()


def remove(db: Session, user_id: int) -> None:
    """Within the caller's write transaction: the user's second factors (app, recovery codes, passkeys) gone."""
    db.execute(delete(Passkey).where(Passkey.user_id == user_id))
    _remove_app(db, user_id)


def _remove_app(db: Session, user_id: int) -> None:
    """Within the caller's write transaction: the user's authenticator app and recovery codes gone."""
    db.execute(delete(TotpDevice).where(TotpDevice.user_id == user_id))
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def _audit(db: Session, user_id: int, action: str) -> None:
    """Within the caller's write transaction: the person changed how they sign in (the admin area's log)."""
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    audit(db, user_id, action, f"user:{username}")


def _claim(db: Session, statement) -> bool:
    """Run a conditional UPDATE in a write transaction of its own: whether it changed a row (so two attempts
    with one code cannot both succeed)."""
    database.begin_write(db)
    changed = db.execute(statement).rowcount == 1
    db.commit()
    return changed


def _matching_step(secret: str, digits: str) -> int | None:
    """The 30-second step (now, or one either side for clock drift) whose code is `digits`."""
    if not digits:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _digits(code: str) -> str:
    """A 6-digit code as typed ("123 456" too), or ""."""
    compact = "".join(code.split())
    return compact if len(compact) == 6 and compact.isascii() and compact.isdigit() else ""


def _recovery_text(code: str) -> str:
    """A recovery code as typed (any case, with or without dashes and spaces), or ""."""
    compact = "".join(code.split()).replace("-", "").lower()
    return compact if len(compact) == 16 and compact.isascii() and compact.isalnum() else ""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _replace_recovery_codes(db: Session, user_id: int) -> list[str]:
    """Within the caller's write transaction: the user's recovery codes replaced by RECOVERY_CODES new ones."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [base64.b32encode(secrets.token_bytes(_RECOVERY_BYTES)).decode().lower() for _ in range(RECOVERY_CODES)]
    db.add_all(RecoveryCode(user_id=user_id, code_hash=_hash(code)) for code in codes)
    return ["-".join(code[i : i + 4] for i in range(0, 16, 4)) for code in codes]
