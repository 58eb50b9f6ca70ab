"""The audit log: who did what to which user, room, message or setting, written in the transaction of the change
itself (administrators' actions, and the changes people make to how they sign in or what acts for them)."""

from sqlmodel import Session

from djangochat_rx.models import AuditEntry


def audit(db: Session, actor_id: int | None, action: str, target: str, detail: str = "") -> None:
    """Within the caller's write transaction: one entry (`actor_id` None: the server's terminal)."""
    db.add(AuditEntry(actor_id=actor_id, action=action, target=target, detail=detail))
