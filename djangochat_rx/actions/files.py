"""Uploads before their message: keeping one, and its uploader taking it back. Nobody else hears of either
(an upload is its uploader's alone until the message it goes with is posted, actions.messages.send_message)."""

from pathlib import Path

from sqlmodel import Session

from djangochat_rx import attachments
from djangochat_rx.actions import Outcome
from djangochat_rx.attachments import FileView


def upload_file(db: Session, user_id: int, room_id: int, name: str, upload: Path) -> Outcome[FileView]:
    """Keep a finished upload (a temporary file) as the user's unposted file in the room (attachments.store)."""
    return Outcome(attachments.store(db, user_id, room_id, name, upload))


def take_back_upload(db: Session, user_id: int, file_id: int) -> Outcome[None]:
    """The uploader takes an unposted upload off the next message; its bytes go at once."""
    attachments.discard_unposted(db, user_id, file_id)
    return Outcome(None)
