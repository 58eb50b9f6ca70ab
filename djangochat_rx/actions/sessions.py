"""Sessions starting (log in) and ending (log out, log out everywhere, a password change, a disabled account),
reading and typing in a room."""

import contextlib

from sqlmodel import Session

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.actions import Outcome, perform
from djangochat_rx.domain import (
    access,
    accounts,
    admin,
    api_tokens,
    devices,
    read_receipts,
    reads,
    rooms,
    sessions,
    sso,
)
from djangochat_rx.domain.events import Event, ReadMoved, ReceiptsMoved, SessionsEnded, Typing


def _ended(session_ids: list[int]) -> Outcome[list[int]]:
    return Outcome(session_ids, [SessionsEnded(tuple(session_ids))] if session_ids else [])


def start_session(
    db: Session, user_id: int, user_agent: str, old_token: str = "", sign_in: str = "password", factor: str = ""
) -> Outcome[str]:
    """Log the user in on this browser: a fresh session token, the session the browser had (`old_token`) ended;
    `sign_in` and `factor` say how (sessions.issue). Nobody is told: the browser's tab goes on under the new
    session."""
    if old_token:
        sessions.revoke(db, old_token)
    return Outcome(sessions.issue(db, user_id, user_agent, sign_in, factor))


def remember_device(db: Session, user_id: int, device_token: str) -> Outcome[str]:
    """This browser logged in to the account: it is a known device (domain/devices.py: its own login budget
    while the account is locked); its token, renewed. Nobody is told."""
    return Outcome(devices.remember(db, user_id, device_token))


def log_out(db: Session, token: str) -> Outcome[list[int]]:
    """End the session behind `token`: its sockets stop receiving anything, on every worker."""
    session_id = sessions.revoke(db, token) if token else None
    return _ended([session_id] if session_id is not None else [])


def end_sessions(db: Session, user_id: int, keep: int | None = None, why: str = "log out everywhere") -> Outcome[int]:
    """Recover the account (`why`: "log out everywhere", a password change): end every session of the user
    (but the one with id `keep`) and revoke their API tokens; how many tokens were revoked."""
    ended = sessions.revoke_all(db, user_id, keep)
    revoked = api_tokens.revoke_all(db, user_id, why)
    return Outcome(revoked, _ended(ended).events)


def change_password(db: Session, user_id: int, session_id: int, current: str, new: str, confirm: str) -> Outcome[int]:
    """The user sets a new password, the current one checked: every other session ends and their API tokens are
    revoked; how many tokens were. bcrypt: run it with perform_hashing, charged to throttle.before_password_check
    first (state/auth.password_checked)."""
    new_hash = accounts.new_password_hash(db, user_id, current, new, confirm)
    database.begin_write(db)  # one transaction: the new password, the other sessions gone, the tokens revoked
    accounts.set_password(db, user_id, new_hash)
    ended = sessions.delete_all(db, user_id, session_id)
    revoked = api_tokens.revoke_all_within(db, user_id, "password change")
    db.commit()
    sessions.forget(ended)
    return Outcome(revoked, _ended(ended).events)


def disable_user(db: Session, admin_id: int, user_id: int) -> Outcome[list[int]]:
    """An administrator disables an account: its sessions end and its open tabs are cut off at once."""
    return _ended(admin.disable_user(db, admin_id, user_id))


def disable_expired_guests(db: Session) -> Outcome[list[int]]:
    """Guests whose time is over are disabled: their sessions end and their open tabs are cut off at once."""
    return _ended(admin.disable_expired_guests(db))


def ending_expired_guests() -> contextlib.AbstractAsyncContextManager:
    """While the app runs, disable_expired_guests every GUEST_EXPIRY_SCAN_SECONDS (a lifespan task)."""
    from djangochat_rx.infra import periodic

    async def scan() -> list[int]:
        return await perform(disable_expired_guests)

    return periodic.every(settings.GUEST_EXPIRY_SCAN_SECONDS, scan, "guest-expiry")


def mark_read(db: Session, user_id: int, username: str, room_id: int, seq: int) -> Outcome[int]:
    """The user has read the room up to `seq`: their rooms lists update (read marks and mentions); when they share
    their read receipts, the pages of the authors whose messages they read now show it ("Seen by")."""
    shared_from = read_receipts.shared_marker(db, user_id, room_id)
    try:
        stored = reads.mark_read(db, user_id, room_id, seq)
    except rooms.RoomNotFound:  # no longer a member
        return Outcome(0)
    slug = rooms.room_slug(db, room_id)
    mentioned = tuple(reads.unread_mention_rooms(db, user_id))
    events: list[Event] = [ReadMoved(username, slug, stored, mentioned)]
    if shared_from is not None and stored > shared_from:  # they share their receipts, and read something new
        lines = read_receipts.lines_after_read(db, user_id, room_id, shared_from, stored)
        if lines:
            events.append(ReceiptsMoved(room_id, username, stored, lines))
    return Outcome(stored, events)


def typing(db: Session, user_id: int, username: str, room_id: int, active: bool = True) -> Outcome[None]:
    """The user is typing in the room (if they may still read it)."""
    if not access.can_read_id(db, user_id, room_id):
        return Outcome(None)
    return Outcome(None, [Typing(room_id, username, active)])


def enable_user(db: Session, admin_id: int, user_id: int) -> Outcome[None]:
    """An administrator lets a disabled account log in again (nothing open changes)."""
    admin.enable_user(db, admin_id, user_id)
    return Outcome(None)


def make_member(db: Session, admin_id: int, user_id: int) -> Outcome[None]:
    """An administrator makes a guest a full member (their pages show the lobby from their next load)."""
    admin.make_member(db, admin_id, user_id)
    return Outcome(None)


def start_provider_link(db: Session, user_id: int, provider_id: str) -> Outcome[str]:
    """The person starts linking a single sign-on provider to their account: the one-time token their browser
    carries to the provider and back (sso.link_intent). Nobody is told."""
    return Outcome(sso.link_intent(db, user_id, provider_id))


def unlink_provider(db: Session, user_id: int, provider_id: str) -> Outcome[None]:
    """The user stops signing in with a single sign-on provider (never their last way in). Nobody is told."""
    sso.unlink(db, user_id, provider_id)
    return Outcome(None)
