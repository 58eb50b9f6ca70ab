"""Joining and getting back in: setting up an empty instance, the sign-up mode, invite links,
accounts an administrator creates, password-reset links, verified email addresses.

Only a password reset changes what open pages show (the account's sessions end, so its tabs are cut off,
and its API tokens are revoked); the rest change nothing live and return no events.
"""

from sqlmodel import Session

from djangochat_rx import account_links, accounts, api_tokens, signup
from djangochat_rx.actions import Outcome
from djangochat_rx.events import SessionsEnded


def set_up(db: Session, username: str, password: str, confirm: str, mode: str) -> Outcome[accounts.UserView]:
    """The first administrator of an empty instance, and who may join it."""
    return Outcome(signup.set_up(db, username, password, confirm, mode))


def register(db: Session, username: str, password: str, confirm: str, invite: str = "") -> Outcome[accounts.UserView]:
    """A person registers (open sign-up, or with an invite link)."""
    return Outcome(signup.register(db, username, password, confirm, invite))


def set_signup_mode(db: Session, admin_id: int, mode: str) -> Outcome[str]:
    return Outcome(signup.set_mode(db, admin_id, mode))


def set_signup_domain(db: Session, admin_id: int, domain: str) -> Outcome[str]:
    """Open sign-up only for addresses at `domain` ("" for anyone)."""
    return Outcome(signup.set_domain(db, admin_id, domain))


def request_signup(db: Session, address: str) -> Outcome[signup.SignupMail]:
    """Someone starts registering with their address at the allowed domain: a link to mail them."""
    return Outcome(signup.request_signup(db, address))


def create_invite(
    db: Session, admin_id: int, days: int, uses: int, note: str = ""
) -> Outcome[tuple[signup.InviteView, str]]:
    return Outcome(signup.create_invite(db, admin_id, days, uses, note))


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


def request_reset(db: Session, login: str) -> Outcome[account_links.MailedLink | None]:
    return Outcome(account_links.request_reset(db, login))


def request_verify(db: Session, user_id: int, password: str, address: str) -> Outcome[account_links.MailedLink]:
    """A check link for a new address, once the current `password` is checked: a stolen session cannot point
    "Forgot password" at its own mailbox. bcrypt: run it with perform_hashing, charged to
    throttle.before_password_check first."""
    account_links.check_address(address)  # a typo costs no password check
    accounts.check_current_password(db, user_id, password)
    return Outcome(account_links.request_verify(db, user_id, address))


def verify_email(db: Session, token: str) -> Outcome[account_links.AddressChange]:
    return Outcome(account_links.verify_email(db, token))


def remove_email(db: Session, user_id: int) -> Outcome[None]:
    account_links.remove_email(db, user_id)
    return Outcome(None)
