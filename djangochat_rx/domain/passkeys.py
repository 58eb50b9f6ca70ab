"""Passkeys (WebAuthn, with py_webauthn): registered on the two-factor page, used as the second factor after a
password, or alone to sign in (a passkey that verified its user proves two things: the device and the
person). The browser's side is assets/passkey.js; a ceremony's challenge stays in the tab's server-side state.

Every ceremony requires user verification and a discoverable credential, checks the origin and the relying
party id (the page's host), and a signature counter that goes backwards (a cloned authenticator) is refused."""

import json
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import accounts
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import Passkey, User, utcnow


class PasskeyError(accounts.AccountError):
    """A passkey could not be added or used; the message is safe to show (it never says whose a passkey is)."""


REFUSED = "That passkey could not be used here. Try again, or sign in another way."


@dataclass(frozen=True)
class PasskeyView:
    """A passkey as its owner's two-factor page lists it."""

    id: int
    name: str
    created_at: str
    last_used_at: str


@dataclass(frozen=True)
class Ceremony:
    """What the browser needs for a ceremony (WebAuthn's options as JSON) and what the server keeps for the
    answer (its challenge, base64url)."""

    options: str
    challenge: str


def registration(db: Session, user_id: int, rp_id: str) -> Ceremony:
    """Options to create a passkey for the user (their existing ones excluded). PasskeyError past
    PASSKEYS_PER_USER."""
    user = db.exec(select(User).where(User.id == user_id)).one()
    existing = list(db.exec(select(Passkey.credential_id).where(Passkey.user_id == user_id)))
    db.rollback()
    if len(existing) >= settings.PASSKEYS_PER_USER:
        raise PasskeyError(f"An account holds at most {settings.PASSKEYS_PER_USER} passkeys: remove one first.")
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.TOTP_ISSUER,
        user_id=f"djangochat-user-{user.id}".encode(),
        user_name=user.username,
        user_display_name=user.display_name or user.username,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(known)) for known in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED
        ),
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def register(
    db: Session, user_id: int, name: str, credential: str, challenge: str, origin: str, rp_id: str
) -> PasskeyView:
    """Keep the passkey the browser created for this ceremony (checked: challenge, origin, relying party, user
    verification). Audited."""
    label = " ".join(name.split())[:64] or "Passkey"
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_origin=origin,
            expected_rp_id=rp_id,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("The passkey could not be added: " + _said(error)) from None
    database.begin_write(db)
    count = db.exec(select(func.count()).where(Passkey.user_id == user_id)).one()
    if count >= settings.PASSKEYS_PER_USER:
        db.rollback()
        raise PasskeyError(f"An account holds at most {settings.PASSKEYS_PER_USER} passkeys: remove one first.")
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.exec(select(Passkey.id).where(Passkey.credential_id == credential_id)).first() is not None:
        db.rollback()
        raise PasskeyError("This passkey is already registered.")
    row = Passkey(
        user_id=user_id,
        credential_id=credential_id,
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        name=label,
    )
    db.add(row)
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    audit(db, user_id, "passkey.add", f"user:{username}", label)
    db.commit()
    return _view(row)


def authentication(db: Session, rp_id: str, user_id: int | None = None) -> Ceremony:
    """Options to sign in with a passkey: the user's own (as a second factor), or any of this site's
    (`user_id` None: the browser offers the passkeys it holds)."""
    allowed: list[str] = []
    if user_id is not None:
        allowed = list(db.exec(select(Passkey.credential_id).where(Passkey.user_id == user_id)))
        db.rollback()
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(known)) for known in allowed],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def authenticate(
    db: Session, credential: str, challenge: str, origin: str, rp_id: str, user_id: int | None = None
) -> accounts.UserView:
    """The user a passkey's answer to this ceremony signs in (and, with `user_id`, it must be theirs);
    PasskeyError(REFUSED) for anything else, the same whoever's passkey it was."""
    try:
        credential_id = str(json.loads(credential)["id"])
    except (ValueError, KeyError, TypeError):
        raise PasskeyError(REFUSED) from None
    row = db.exec(select(Passkey).where(Passkey.credential_id == credential_id)).first()
    db.rollback()
    if row is None or (user_id is not None and row.user_id != user_id):
        raise PasskeyError(REFUSED)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(row.public_key),
            credential_current_sign_count=row.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise PasskeyError(REFUSED) from None
    database.begin_write(db)
    stored = db.exec(select(Passkey).where(Passkey.id == row.id).with_for_update()).first()
    owner = db.exec(select(User).where(User.id == row.user_id)).first()
    if stored is None or owner is None or not accounts.enabled(owner) or owner.is_bot:
        db.rollback()
        raise PasskeyError(REFUSED)
    stored.sign_count, stored.last_used_at = verified.new_sign_count, utcnow()
    view = accounts.view(owner)
    db.commit()
    return view


def listed(db: Session, user_id: int) -> list[PasskeyView]:
    rows = db.exec(select(Passkey).where(Passkey.user_id == user_id).order_by(col(Passkey.id))).all()
    db.rollback()
    return [_view(row) for row in rows]


def remove(db: Session, user_id: int, passkey_id: int) -> None:
    """The user removes one of their passkeys (another's id changes nothing). Audited."""
    database.begin_write(db)
    row = db.exec(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id)).first()
    if row is None:
        db.rollback()
        return
    username = db.exec(select(User.username).where(User.id == user_id)).one()
    audit(db, user_id, "passkey.remove", f"user:{username}", row.name)
    db.delete(row)
    db.commit()


def _view(row: Passkey) -> PasskeyView:
    return PasskeyView(
        id=row.id,
        name=row.name,
        created_at=row.created_at.isoformat(),
        last_used_at=row.last_used_at.isoformat() if row.last_used_at else "",
    )


def _said(error: Exception) -> str:
    text = str(error).strip() or "it did not answer as expected"
    return text[:200]
