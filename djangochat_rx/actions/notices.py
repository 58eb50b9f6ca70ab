"""Hearing about what you missed: email preferences, unsubscribe links, Web Push subscriptions, and
each room's notification level and mute.

Only mute changes what open pages show (muted rooms go last in the user's rooms lists): MutedChanged.
"""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import room_prefs
from djangochat_rx.domain.events import MutedChanged
from djangochat_rx.models import User
from djangochat_rx.notify import notices, push


def set_email_notices(db: Session, user_id: int, choice: str, delay_minutes: int) -> Outcome[notices.Preferences]:
    """Which emails about unread mentions and direct messages the user gets, and after how long."""
    return Outcome(notices.set_preferences(db, user_id, choice, delay_minutes))


def unsubscribe(db: Session, token: str) -> Outcome[str | None]:
    """An email's unsubscribe link turns those emails off."""
    return Outcome(notices.unsubscribe(db, token))


def subscribe_push(db: Session, user_id: int, subscription: object, user_agent: str = "") -> Outcome[int]:
    """A browser takes the user's Web Push notifications; how many browsers do now."""
    push.subscribe(db, user_id, subscription, user_agent)
    return Outcome(push.subscribed(db, user_id))


def unsubscribe_push(db: Session, user_id: int, endpoint: str) -> Outcome[int]:
    push.unsubscribe(db, user_id, endpoint)
    return Outcome(push.subscribed(db, user_id))


def set_room_prefs(db: Session, user_id: int, room_id: int, level: str, muted: bool) -> Outcome[room_prefs.Prefs]:
    """How the user hears of a room: its notification level, and mute; their rooms lists hear what they mute."""
    prefs = room_prefs.set_prefs(db, user_id, room_id, level, muted)
    user = db.get(User, user_id)
    return Outcome(prefs, [MutedChanged(user.username, tuple(room_prefs.muted_slugs(db, user_id)))])
