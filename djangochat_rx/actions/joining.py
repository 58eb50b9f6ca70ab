"""Joining and getting back in: setting up an empty instance, the sign-up mode, invite links,
accounts an administrator creates (or the command line: superusers, promotions), password-reset links,
verified email addresses.

Only a password reset changes what open pages show (the account's sessions end, so its tabs are cut off,
and its API tokens are revoked), and a guest joining (its rooms' pages mark it). Links by email are mail
events (events.Mail), sent after the commit; the rest change nothing live and return no events.
"""

from sqlmodel import Session, select

from djangochat_rx.actions import Outcome
from djangochat_rx.actions.rooms import room_changed
from djangochat_rx.domain import account_links, accounts, admin, api_tokens, signup, sso
from djangochat_rx.domain.events import (
    AddressCheckRequested,
    AddressReplaced,
    ResetLinkRequested,
    SessionsEnded,
    SignupLinkRequested,
)
from djangochat_rx.models import RoomMember


def set_up(db: Session, username: str, password: str, confirm: str, mode: str) -> Outcome[accounts.UserView]:
    """The first administrator of an empty instance, and who may join it."""
    return Outcome(signup.set_up(db, username, password, confirm, mode))


def register(db: Session, username: str, password: str, confirm: str, invite: str = "") -> Outcome[accounts.UserView]:
    """A person registers (open sign-up, or with an invite link). A guest invite's rooms have a new member: their
    open pages read the room again (its guests marked)."""
    user = signup.register(db, username, password, confirm, invite)
    joined = db.exec(select(RoomMember.room_id).where(RoomMember.user_id == user.id).order_by(RoomMember.room_id)).all()
    return Outcome(user, [room_changed(db, room_id) for room_id in joined])


def create_superuser(db: Session, username: str, password: str, confirm: str) -> Outcome[accounts.UserView]:
    """A new administrator account, from the command line (`createsuperuser`). bcrypt."""
    return Outcome(admin.create_superuser(db, username, password, confirm))


def promote(db: Session, username: str) -> Outcome[accounts.UserView]:
    """An existing user becomes an administrator, from the command line (`promote`)."""
    return Outcome(admin.promote(db, username))


def set_signup_mode(db: Session, admin_id: int | None, mode: str) -> Outcome[str]:
    """Who may create an account (`admin_id` None: the command line's `signup`)."""
    return Outcome(signup.set_mode(db, admin_id, mode))


def set_password_sign_in(db: Session, admin_id: int | None, allowed: bool) -> Outcome[bool]:
    """Whether people may sign in with a password (`admin_id` None: the command line's `password-sign-in`)."""
    return Outcome(sso.set_password_sign_in(db, admin_id, allowed))


def choose_first_username(db: Session, user_id: int, name: str) -> Outcome[accounts.UserView]:
    """The person of an account single sign-on just made changes its proposed username, once, before their
    first session starts (nobody has seen the name yet: nothing to tell)."""
    return Outcome(sso.choose_first_username(db, user_id, name))


def set_signup_domain(db: Session, admin_id: int, domain: str) -> Outcome[str]:
    """Open sign-up only for addresses at `domain` ("" for anyone)."""
    return Outcome(signup.set_domain(db, admin_id, domain))


def request_signup(db: Session, address: str) -> Outcome[signup.SignupMail]:
    """Someone starts registering with their address at the allowed domain: it is mailed the link (or, when it
    has an account, a reminder; the value is the same kind either way)."""
    link = signup.request_signup(db, address)
    return Outcome(link, [SignupLinkRequested(link)])


def create_invite(
    db: Session,
    user_id: int,
    days: int,
    uses: int,
    note: str = "",
    guest_rooms: tuple[int, ...] = (),
    guest_days: int = 0,
) -> Outcome[tuple[signup.InviteView, str]]:
    """An invite link (an administrator's), or a guest invite naming rooms (an administrator's, or their owner's)."""
    return Outcome(signup.create_invite(db, user_id, days, uses, note, guest_rooms, guest_days))


def revoke_invite(db: Session, admin_id: int, invite_id: int) -> Outcome[None]:
    signup.revoke_invite(db, admin_id, invite_id)
    return Outcome(None)


def create_account(db: Session, admin_id: int, username: str) -> Outcome[tuple[accounts.UserView, str]]:
    """An administrator creates an account; its owner sets the password through the returned link."""
    return Outcome(account_links.create_account(db, admin_id, username))


def issue_reset_link(db: Session, admin_id: int, user_id: int) -> Outcome[tuple[str, str]]:
    return Outcome(account_links.issue_reset(db, admin_id, user_id))


def reset_password(db: Session, token: str, new: str, confirm: str) -> Outcome[tuple[accounts.UserView, int]]:
    """A reset link sets a new password: every session of the account ends, on every worker, and its API
    tokens are revoked (how many is returned with the account)."""
    user, ended = account_links.reset_password(db, token, new, confirm)
    revoked = api_tokens.revoke_all(db, user.id, "password reset by link")
    return Outcome((user, revoked), [SessionsEnded(tuple(ended))] if ended else [])


def request_reset(db: Session, login: str) -> Outcome[None]:
    """The "Forgot password" form names a username or verified address: the account's address is mailed a
    reset link, if there is one to mail; the value says nothing either way."""
    link = account_links.request_reset(db, login)
    return Outcome(None, [ResetLinkRequested(link)] if link is not None else [])


def request_verify(db: Session, user_id: int, password: str, address: str) -> Outcome[account_links.MailedLink]:
    """A check link for a new address, once the current `password` is checked: a stolen session cannot point
    "Forgot password" at its own mailbox. bcrypt: run it with perform_hashing, charged to
    throttle.before_password_check first."""
    account_links.check_address(address)  # a typo costs no password check
    accounts.check_current_password(db, user_id, password)
    link = account_links.request_verify(db, user_id, address)
    return Outcome(link, [AddressCheckRequested(link)])


def verify_email(db: Session, token: str) -> Outcome[account_links.AddressChange]:
    """A check link's click makes its address the account's; the verified address it replaced is told."""
    change = account_links.verify_email(db, token)
    return Outcome(change, [AddressReplaced(change)] if change.previous else [])


def remove_email(db: Session, user_id: int) -> Outcome[None]:
    account_links.remove_email(db, user_id)
    return Outcome(None)
