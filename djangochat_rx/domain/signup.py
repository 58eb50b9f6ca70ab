"""Who may join: the instance's sign-up mode, invite links, and setting up an empty instance.

- "open": anyone may register; "invite": only with a valid invite link; "closed": nobody registers,
  administrators create accounts (admin.create_account) and hand out a set-your-password link.
- An empty database (no users, no choice made) is not open: the first page creates the first
  administrator and asks which mode to run in (`set_up`), or `python -m djangochat_rx createsuperuser`.
- Invite links hold a random 256-bit token; we store only its SHA-256. Each is good for a number of
  accounts until it expires or is revoked.
- A guest invite (made by an administrator, or by a room's owner for their rooms) names the rooms its
  accounts join, as guests (access.py), disabled `guest_days` after they join when that is set.

Every change an administrator makes is written to the audit log in the same transaction.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, cast

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, accounts, members, rooms, site_settings
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.domain.tokens import hash_token
from djangochat_rx.domain.wording import counted
from djangochat_rx.models import Invite, Room, SiteSetting, User, as_utc, utcnow

Mode = Literal["open", "invite", "closed"]
MODES: tuple[Mode, ...] = ("open", "invite", "closed")
# What an instance set up without choosing (e.g. by createsuperuser) runs as: nobody joins uninvited.
DEFAULT_MODE: Mode = "invite"
MODE_KEY = "signup_mode"
# With email set up, open sign-up may be limited to addresses at one domain (signup_domain): registering
# then starts with a link mailed to such an address.
DOMAIN_KEY = "signup_domain"
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# How the admin area and the setup page name each mode.
MODE_LABELS: dict[str, str] = {
    "open": "Open: anyone can register",
    "invite": "Invite only: registering needs an invite link",
    "closed": "Closed: administrators create accounts",
}


class SignupError(accounts.AccountError):
    """Registration is not possible as asked; the message is safe to show."""


class SignupClosed(SignupError):
    def __init__(self) -> None:
        super().__init__("Sign-up is closed on this server. Ask an administrator to create an account for you.")


class InviteRequired(SignupError):
    def __init__(self) -> None:
        super().__init__("Registering here needs an invite link. Ask an administrator for one.")


class InvalidInvite(SignupError):
    def __init__(self) -> None:
        super().__init__(
            "This invite link cannot be used: it has expired, been used up or been revoked. Ask for a new one."
        )


class AddressRequired(SignupError):
    def __init__(self, domain: str) -> None:
        super().__init__(f"Registering here starts with your address at @{domain}: we email you a link.")


class AlreadySetUp(SignupError):
    def __init__(self) -> None:
        super().__init__("This server is already set up. Log in instead.")


class InvalidChoice(administration.AdminError):
    """A sign-up mode or invite setting outside what is offered."""


@dataclass(frozen=True)
class Policy:
    """Who may join now; `needs_setup`: an empty instance whose first page creates the first administrator."""

    mode: Mode
    needs_setup: bool
    # Open sign-up only for addresses at this domain ("": anyone).
    domain: str = ""


@dataclass(frozen=True)
class InviteView:
    """An invite as the admin area lists it (never its token); times are ISO 8601 in UTC."""

    id: int
    note: str
    created_by: str
    created_at: str
    expires_at: str
    max_uses: int
    uses: int
    # "active", "expired", "used up" or "revoked".
    status: str
    # A guest invite: the names of the rooms its guests join, and after how many days they are disabled (0: never).
    guest_rooms: str = ""
    guest_days: int = 0


def policy(db: Session) -> Policy:
    """The sign-up mode (and domain), and whether this instance has still to be set up."""
    stored = {
        key: value
        for key, value in db.exec(
            select(SiteSetting.key, SiteSetting.value).where(col(SiteSetting.key).in_((MODE_KEY, DOMAIN_KEY)))
        )
    }
    domain = stored.get(DOMAIN_KEY, "")
    if MODE_KEY in stored:
        value = stored[MODE_KEY]
        return Policy(cast(Mode, value) if value in MODES else DEFAULT_MODE, False, domain)
    # Bot accounts (webhooks', and hooks' made at start) leave an instance empty: its first person sets it up.
    empty = db.exec(select(User.id).where(col(User.is_bot).is_(False)).limit(1)).first() is None
    return Policy(DEFAULT_MODE, empty, domain)


def set_domain(db: Session, actor_id: int | None, domain: str) -> str:
    """An administrator limits open sign-up to addresses at `domain` ("" lifts the limit)."""
    domain = domain.strip().lower().removeprefix("@")
    if domain and not _DOMAIN.match(domain):
        raise InvalidChoice("Enter a domain like example.com, or nothing for no limit.")
    database.begin_write(db)
    if actor_id is not None:
        administration.require_admin(db, actor_id)
    before = site_settings.store(db, actor_id, DOMAIN_KEY, domain, absent="")
    if before != domain:
        audit(db, actor_id, "signup.domain", "site", f"{before or 'none'} → {domain or 'none'}")
    db.commit()
    return domain


@dataclass(frozen=True)
class SignupMail:
    """An email to send for a sign-up by address: the link to finish it (`token`), or, when the address
    already belongs to an account (`username`), a reminder of that instead."""

    address: str
    token: str = ""
    username: str = ""


def request_signup(db: Session, raw_address: str) -> SignupMail:
    """Start a sign-up by address on an instance with open sign-up limited to a domain: a one-account,
    one-day invite bound to the address (its account gets the address, verified by the link)."""
    from djangochat_rx.domain import account_links

    address = account_links.check_address(raw_address)
    current = policy(db)
    if current.mode != "open" or not current.domain:
        db.rollback()
        raise InviteRequired() if current.mode == "invite" else SignupClosed()
    if address.rsplit("@", 1)[1].lower() != current.domain:
        db.rollback()
        raise account_links.InvalidEmail(f"Use your address at @{current.domain}.")
    owner = db.exec(select(User.username).where(User.email_key == account_links.email_key(address))).first()
    if owner is not None:
        db.rollback()
        return SignupMail(address, username=owner)
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    database.begin_write(db)
    db.add(
        Invite(
            token_hash=hash_token(token),
            note=f"sign-up by address {address}"[:100],
            expires_at=utcnow() + timedelta(hours=settings.VERIFY_LINK_HOURS),
            max_uses=1,
            email=address,
        )
    )
    db.commit()
    return SignupMail(address, token=token)


def _check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise InvalidChoice("Choose open, invite-only or closed sign-up.")
    return cast(Mode, mode)


def _store_mode(db: Session, actor_id: int | None, mode: Mode) -> str:
    """Write the mode (in the caller's write transaction); the previous one, for the audit log."""
    return site_settings.store(db, actor_id, MODE_KEY, mode)


def set_mode(db: Session, actor_id: int | None, mode: str) -> Mode:
    """An administrator (or, with `actor_id` None, the terminal) chooses who may join."""
    chosen = _check_mode(mode)
    database.begin_write(db)
    if actor_id is not None:
        administration.require_admin(db, actor_id)
    before = _store_mode(db, actor_id, chosen)
    if before != chosen:
        audit(db, actor_id, "signup.mode", "site", f"{before} → {chosen}")
    db.commit()
    return chosen


def set_up(db: Session, username: str, password: str, confirm: str, mode: str) -> accounts.UserView:
    """The first administrator of an empty instance, and its sign-up mode, in one transaction:
    AlreadySetUp once anyone has done it (two racing set-ups: the second fails on the mode's key)."""
    name = accounts.validate_username(username)
    accounts.validate_password(password, confirm)
    chosen = _check_mode(mode)
    if not policy(db).needs_setup:
        db.rollback()
        raise AlreadySetUp()
    db.rollback()  # end the read transaction before the slow hash
    password_hash = accounts.hash_password(password)
    database.begin_write(db)
    if not policy(db).needs_setup:
        db.rollback()
        raise AlreadySetUp()
    db.add(SiteSetting(key=MODE_KEY, value=chosen))
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise AlreadySetUp() from None
    user = accounts.insert_user(db, name, password_hash, is_admin=True)
    audit(db, user.id, "user.create_admin", f"user:{name}", "first administrator (setup page)")
    audit(db, user.id, "signup.mode", "site", f"unset → {chosen}")
    return accounts.commit_account(db, user)


def _invite_view(invite: Invite, creator: str | None, room_names: dict[int, str] | None = None) -> InviteView:
    now = utcnow()
    if invite.revoked_at is not None:
        status = "revoked"
    elif invite.uses >= invite.max_uses:
        status = "used up"
    elif as_utc(invite.expires_at) <= now:
        status = "expired"
    else:
        status = "active"
    return InviteView(
        id=invite.id,
        note=invite.note,
        created_by=creator or administration.CLI_ACTOR,
        created_at=as_utc(invite.created_at).isoformat(),
        expires_at=as_utc(invite.expires_at).isoformat(),
        max_uses=invite.max_uses,
        uses=invite.uses,
        status=status,
        guest_rooms=", ".join((room_names or {}).get(room_id, "(deleted)") for room_id in guest_room_ids(invite)),
        guest_days=invite.guest_days,
    )


def guest_room_ids(invite: Invite) -> list[int]:
    return [int(room_id) for room_id in invite.guest_rooms.split(":") if room_id]


def create_invite(
    db: Session,
    actor_id: int,
    days: int,
    uses: int,
    note: str = "",
    guest_rooms: tuple[int, ...] = (),
    guest_days: int = 0,
) -> tuple[InviteView, str]:
    """A new invite link good for `uses` accounts during `days` days: its view and its token (shown once).
    With `guest_rooms`, a guest invite: its accounts are guests in those rooms (public or private, never a
    conversation), disabled `guest_days` days after they join (0: never). An administrator invites to any
    room; a room's owner only to rooms they own (RoomNotFound for one they cannot read, NotOwner else)."""
    if not 1 <= days <= settings.INVITE_MAX_DAYS:
        raise InvalidChoice(f"An invite lasts 1 to {settings.INVITE_MAX_DAYS} days.")
    if not 1 <= uses <= settings.INVITE_MAX_USES:
        raise InvalidChoice(f"An invite is good for 1 to {settings.INVITE_MAX_USES} accounts.")
    if not 0 <= guest_days <= settings.GUEST_MAX_DAYS:
        raise InvalidChoice(f"Guests may stay 1 to {settings.GUEST_MAX_DAYS} days (0: with no end).")
    if len(set(guest_rooms)) > settings.GUEST_INVITE_MAX_ROOMS:
        raise InvalidChoice(f"A guest invite names at most {settings.GUEST_INVITE_MAX_ROOMS} rooms.")
    note = " ".join(note.split())[:100]
    token = secrets.token_urlsafe(settings.SESSION_TOKEN_BYTES)
    database.begin_write(db)
    names = _guest_rooms_allowed(db, actor_id, sorted(set(guest_rooms)))
    creator = db.exec(select(User.username).where(User.id == actor_id)).one()
    invite = Invite(
        token_hash=hash_token(token),
        note=note,
        created_by_id=actor_id,
        expires_at=utcnow() + timedelta(days=days),
        max_uses=uses,
        guest_rooms=":".join(map(str, names)),
        guest_days=guest_days if names else 0,
    )
    db.add(invite)
    db.flush()
    guests = f", guests in {', '.join(names.values())}" if names else ""
    audit(
        db,
        actor_id,
        "invite.create",
        f"invite:{invite.id}",
        f"{counted(uses, 'account')}, {counted(days, 'day')}{guests}{', ' + note if note else ''}",
    )
    db.commit()
    return _invite_view(invite, creator, names), token


def rooms_named(db: Session, names: str) -> tuple[int, ...]:
    """The rooms a guest invite form names (comma-separated: a public room's name, or any room's address),
    by id; InvalidChoice naming the first that is no room."""
    found = []
    for name in (part.strip() for part in names.split(",")):
        if not name:
            continue
        named = (Room.slug == name.lower()) | (Room.name_key == name.casefold())
        room_id = db.exec(select(Room.id).where(named, Room.kind != access.DM)).first()
        if room_id is None:
            db.rollback()
            raise InvalidChoice(f"There is no room called “{name}”.")
        found.append(room_id)
    db.rollback()
    return tuple(found)


def _guest_rooms_allowed(db: Session, actor_id: int, room_ids: list[int]) -> dict[int, str]:
    """The rooms a guest invite by `actor_id` may name, by id with their names (none: a member invite, for
    administrators only); the transaction ends with the refusal."""
    is_admin = accounts.is_admin(db, actor_id)
    if not room_ids:
        administration.require_admin(db, actor_id)
    if access.is_guest(db, actor_id):
        db.rollback()
        raise rooms.GuestsCannot("Guests cannot invite people.")
    names = {}
    for room_id in room_ids:
        room = db.get(Room, room_id)
        if room is None or room.kind == access.DM or not (is_admin or access.can_read(db, actor_id, room)):
            db.rollback()
            raise rooms.RoomNotFound()
        if not is_admin and not access.is_owner(db, actor_id, room_id):
            db.rollback()
            raise rooms.NotOwner("Only the room's owner can invite guests to it.")
        names[room_id] = room.name
    return names


def list_invites(db: Session, actor_id: int, limit: int = 50) -> list[InviteView]:
    """The newest invites, newest first, whatever their state."""
    administration.require_admin(db, actor_id)
    rows = db.exec(
        select(Invite, User.username)
        .join(User, col(User.id) == Invite.created_by_id, isouter=True)
        .where(Invite.email == "")
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc())
        .limit(limit)
    ).all()
    wanted = {room_id for invite, _ in rows for room_id in guest_room_ids(invite)}
    names = dict(db.exec(select(Room.id, Room.name).where(col(Room.id).in_(wanted))).all()) if wanted else {}
    return [_invite_view(invite, creator, names) for invite, creator in rows]


def revoke_invite(db: Session, actor_id: int, invite_id: int) -> None:
    """Make an invite link unusable at once (revoking a revoked one changes nothing)."""
    database.begin_write(db)
    administration.require_admin(db, actor_id)
    invite = db.get(Invite, invite_id, with_for_update=True, populate_existing=True)
    if invite is None:
        db.rollback()
        raise administration.AdminError("Invite not found.")
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        audit(db, actor_id, "invite.revoke", f"invite:{invite.id}", f"{invite.uses} used")
    db.commit()


def _usable(invite: Invite | None) -> bool:
    return (
        invite is not None
        and invite.revoked_at is None
        and invite.uses < invite.max_uses
        and as_utc(invite.expires_at) > utcnow()
    )


def _invite(db: Session, token: str, lock: bool = False) -> Invite | None:
    if not token:
        return None
    query = select(Invite).where(Invite.token_hash == hash_token(token)).execution_options(populate_existing=True)
    return db.exec(query.with_for_update() if lock else query).first()


def invite_admits(db: Session, invite_token: str) -> bool:
    """Whether a registration with this invite link would be admitted by it. Such a registration skips the
    per-client budget (throttle.before_register): the invite is its budget (its max uses), so a team behind
    one office address joins together."""
    admits = _usable(_invite(db, invite_token))
    db.rollback()
    return admits


def register_form(db: Session, invite_token: str = "") -> str:
    """What the registration page offers: "form" (open, or a usable invite), or the refusal to show
    instead ("closed", "invite", "invalid invite", "setup")."""
    current = policy(db)
    if current.needs_setup:
        return "setup"
    if current.mode == "closed":
        return "closed"
    if invite_token:
        return "form" if _usable(_invite(db, invite_token)) else "invalid invite"
    if current.mode == "open":
        return "email" if current.domain else "form"
    return "invite"


def register(db: Session, username: str, password: str, confirm: str, invite_token: str = "") -> accounts.UserView:
    """Create an account if this instance lets this person join (open sign-up, or a usable invite link,
    whose use is counted in the same transaction); the slow hash runs outside any write lock."""
    name = accounts.validate_username(username)
    accounts.validate_password(password, confirm)
    _admitted(db, invite_token)  # refuse before spending the hash
    if accounts.user_exists(db, name):
        db.rollback()
        raise accounts.UsernameTaken(accounts.TAKEN)
    db.rollback()
    password_hash = accounts.hash_password(password)
    database.begin_write(db)
    invite = _admitted(db, invite_token, lock=True)  # again: the mode or the invite may have changed meanwhile
    user = accounts.insert_user(db, name, password_hash)
    if invite is not None:
        db.execute(update(Invite).where(col(Invite.id) == invite.id).values(uses=Invite.uses + 1))
        if invite.guest_rooms:
            _admit_guest(db, user, invite)
        if invite.email:  # the link went to this address: it is verified
            taken = db.exec(select(User.id).where(User.email_key == invite.email.casefold())).first()
            if taken is not None:
                db.rollback()
                raise InvalidInvite()
            user.email, user.email_key = invite.email, invite.email.casefold()
        audit(db, user.id, "invite.use", f"invite:{invite.id}", f"user:{name}")
    return accounts.commit_account(db, user)


def _admit_guest(db: Session, user: User, invite: Invite) -> None:
    """Make the new account a guest of the invite's rooms (those still there), until its guest days are over."""
    user.is_guest = True
    if invite.guest_days:
        user.guest_until = utcnow() + timedelta(days=invite.guest_days)
    for room_id in guest_room_ids(invite):
        room = db.get(Room, room_id)
        if room is not None and room.kind != access.DM:
            members.add_guest(db, room_id, user.id)


def _admitted(db: Session, invite_token: str, lock: bool = False) -> Invite | None:
    """The invite this registration uses (None for open sign-up without one), or why it is refused."""
    current = policy(db)
    refusal: SignupError | None = None
    invite = None
    if current.needs_setup or current.mode == "closed":
        refusal = SignupClosed()
    elif invite_token:
        invite = _invite(db, invite_token, lock)
        if not _usable(invite):
            refusal = InvalidInvite()
    elif current.mode == "invite":
        refusal = InviteRequired()
    elif current.domain:
        refusal = AddressRequired(current.domain)
    if refusal is not None:
        db.rollback()
        raise refusal
    return invite
