"""Read receipts' two switches (domain/read_receipts.py): the instance's, an administrator's, and each person's own.

Neither changes an open page at once (no event): a room page reads its "Seen by" line when it opens, and a reader's
next read brings the line as both switches say then.
"""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import read_receipts


def set_instance(db: Session, admin_id: int, on: bool) -> Outcome[bool]:
    """An administrator allows read receipts here (each person still chooses) or turns them off for everyone."""
    return Outcome(read_receipts.set_instance(db, admin_id, on))


def set_sharing(db: Session, user_id: int, share: bool) -> Outcome[bool]:
    """The person lets others see how far they have read their messages, or stops."""
    return Outcome(read_receipts.set_sharing(db, user_id, share))
