"""Time and attention (domain/availability.py): a person's time zone, status, do-not-disturb and working hours.

Setting one's time zone tells nobody: it changes when one's own notifications wait and what senders are told,
both computed when they are needed."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import availability


def set_time_zone(db: Session, user_id: int, name: str, only_if_unknown: bool = False) -> Outcome[str]:
    """The person's time zone, chosen on the account page or detected by their browser (`only_if_unknown`)."""
    return Outcome(availability.set_time_zone(db, user_id, name, only_if_unknown))
