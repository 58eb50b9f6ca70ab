"""Uploads before their message: keeping one, and its uploader taking it back. Nobody else hears of either
(an upload is its uploader's alone until the message it goes with is posted, actions.messages.send_message)."""

from sqlmodel import Session

from djangochat_rx.actions import Outcome
from djangochat_rx.domain import attachments
from djangochat_rx.domain.attachments import FileView, Prepared


def upload_file(
    db: Session, user_id: int, room_id: int, name: str, prepared: Prepared, in_flight: int = 0
) -> Outcome[FileView]:
    """Keep a received, re-encoded upload as the user's unposted file in the room (attachments.keep), counting
    `in_flight` bytes of their other uploads on their way against the day's budget."""
    return Outcome(attachments.keep(db, user_id, room_id, name, prepared, in_flight))


def take_back_upload(db: Session, user_id: int, file_id: int) -> Outcome[None]:
    """The uploader takes an unposted upload off the next message; its bytes go at once."""
    attachments.discard_unposted(db, user_id, file_id)
    return Outcome(None)
