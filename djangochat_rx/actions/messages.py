"""Sending, editing and deleting messages, and a moderator's removal."""

from sqlmodel import Session

from djangochat_rx import admin, messages, reads
from djangochat_rx.actions import Outcome
from djangochat_rx.events import MessageChanged, MessageSent
from djangochat_rx.messages import MessageView


def send_message(db: Session, user_id: int, room_id: int, text: str, client_id: str = "") -> Outcome[MessageView]:
    """Post a message (one write transaction; a retry under the same `client_id` posts nothing new): the
    room sees it, the author's rooms lists count it read, and the users it mentions are told."""
    posted = messages.post(db, room_id, user_id, text, client_id)
    message = posted.message
    mentioned = {}
    if message.mentions:
        mentioned = {key: tuple(slugs) for key, slugs in reads.mention_marks(db, message.mentions).items()}
    preview = reads.preview(message.body, message.deleted, message.removed)
    return Outcome(message, [MessageSent(message, posted.room_name, posted.slug, preview, mentioned)])


def _changed(message: MessageView) -> Outcome[MessageView]:
    return Outcome(message, [MessageChanged(message, reads.preview(message.body, message.deleted, message.removed))])


def edit_message(db: Session, user_id: int, room_id: int, message_id: int, text: str) -> Outcome[MessageView]:
    """The author replaces the text of their message (within the edit window)."""
    return _changed(messages.edit_message(db, message_id, user_id, text, room_id=room_id))


def delete_message(db: Session, user_id: int, room_id: int, message_id: int) -> Outcome[MessageView]:
    """The author deletes their message (within the edit window); a placeholder keeps its place."""
    return _changed(messages.delete_message(db, message_id, user_id, room_id=room_id))


def remove_message(db: Session, admin_id: int, message_id: int) -> Outcome[MessageView]:
    """An administrator removes anyone's message: "removed by a moderator" for everyone, audited."""
    return _changed(admin.remove_message(db, admin_id, message_id))
