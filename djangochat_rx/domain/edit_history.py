"""Edit history: an edited message's earlier versions, for the people who may read its room.

Every edit keeps the text it replaces (messages.edit_message adds a MessageEdit row in its transaction); a
deleted or moderator-removed message keeps none (messages.erase deletes them with the text)."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from djangochat_rx.domain import access
from djangochat_rx.domain.messages import MessageNotFound, body_html
from djangochat_rx.models import Message, MessageEdit, User, as_utc


@dataclass(frozen=True)
class VersionView:
    """One version of a message: its sanitised HTML and when it was written (ISO 8601, UTC); `current` for the
    text the message shows now."""

    html: str
    written_at: str
    current: bool


def versions(db: Session, user_id: int, message_id: int) -> list[VersionView]:
    """The message's versions, newest (the current text) first; MessageNotFound, as for no such message, when
    the user may not read its room or it was deleted."""
    found = db.exec(
        select(Message, User.username).join(User, col(User.id) == Message.author_id).where(Message.id == message_id)
    ).first()
    message, author = found if found is not None else (None, "")
    if message is None or message.deleted_at is not None or not access.can_read_id(db, user_id, message.room_id):
        db.rollback()
        raise MessageNotFound()

    def html(body: str) -> str:
        return body_html(body, author, frozenset())

    current = VersionView(html(message.body), as_utc(message.edited_at or message.created_at).isoformat(), True)
    earlier = db.exec(
        select(MessageEdit.body, MessageEdit.since)
        .where(MessageEdit.message_id == message_id)
        .order_by(col(MessageEdit.until).desc(), col(MessageEdit.id).desc())
    ).all()
    db.rollback()
    return [current, *(VersionView(html(body), as_utc(since).isoformat(), False) for body, since in earlier)]
