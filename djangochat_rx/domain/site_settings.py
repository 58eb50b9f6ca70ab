"""The instance's settings an administrator changes from the admin area or the terminal (SiteSetting rows: sign-up
mode and domain, password sign-in, the second-factor rule, retention): the one writer of a setting."""

from sqlmodel import Session

from djangochat_rx.models import SiteSetting, utcnow


def store(db: Session, actor_id: int | None, key: str, value: str, absent: str = "unset") -> str:
    """In the caller's write transaction: setting `key` becomes `value` (its row locked first), written by
    `actor_id` (None: the terminal); the value it had, `absent` when it had none (for the audit log)."""
    row = db.get(SiteSetting, key, with_for_update=True, populate_existing=True)
    before = row.value if row is not None else absent
    if row is None:
        db.add(SiteSetting(key=key, value=value, updated_by_id=actor_id))
    else:
        row.value, row.updated_at, row.updated_by_id = value, utcnow(), actor_id
    return before
