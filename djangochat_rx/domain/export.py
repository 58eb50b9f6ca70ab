"""Exports as JSON, streamed: a user's own messages, or (for an administrator) one whole room.

Each export is an iterator of text chunks that together make one JSON document,
`{"exported_at": …, "user" | "room": {…}, "messages": [{…}, …]}`. The checks (who may export what)
run when the function is called, before the first chunk, so a caller can still refuse with an
error instead of sending half a file. The messages are then read in keyset-paginated batches of
`batch_size` by id, each batch its own short transaction: memory stays flat however long the
history, and a slow download holds no transaction open.

What is in an export: messages that are not deleted, oldest first, up to the newest one when the
export began (a snapshot, not an endless stream in a busy room). A user's own export holds only
what they wrote in rooms they may still read (access.readable): after leaving a private room or
being removed from a conversation, its messages stay with the room, as they do on screen.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from djangochat_rx import settings
from djangochat_rx.domain import access, admin, attachments
from djangochat_rx.models import Message, Room, User, as_utc, utcnow

# Rows per query: large enough that a 100 000-message room takes 200 quick queries, small enough
# that a batch (at most 500 × 4000-character bodies, ~8 MB worst case) is all the server holds.


class ExportRefused(Exception):
    """The user is unknown or disabled."""

    def __init__(self) -> None:
        super().__init__("This account cannot export messages.")


def own_messages(db: Session, user_id: int, batch_size: int = settings.EXPORT_BATCH_SIZE) -> Iterator[str]:
    """Everything `user_id` wrote that they may still read, as JSON chunks; ExportRefused if they are
    not an active user."""
    username = db.exec(select(User.username).where(col(User.id) == user_id, col(User.is_active))).first()
    if username is None:
        db.rollback()
        raise ExportRefused()
    query = (
        select(
            Message.id,
            col(Room.slug).label("room"),
            col(Room.name).label("room_name"),
            Message.seq,
            Message.thread_id,
            Message.created_at,
            Message.edited_at,
            Message.body,
            Message.file_count,
        )
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.author_id == user_id, access.readable(user_id))
    )
    return _document(db, {"user": {"id": user_id, "username": username}}, query, batch_size)


def room_messages(
    db: Session, admin_id: int, room_id: int, batch_size: int = settings.EXPORT_BATCH_SIZE
) -> Iterator[str]:
    """Every message of any room, as JSON chunks, for an active administrator (admin.NotAdmin
    otherwise, rooms.RoomNotFound for no room); the export is written to the audit log."""
    room = admin.export_room(db, admin_id, room_id)
    query = (
        select(
            Message.id,
            Message.seq,
            Message.thread_id,
            col(User.username).label("author"),
            Message.created_at,
            Message.edited_at,
            Message.body,
            Message.file_count,
        )
        .join(User, col(User.id) == Message.author_id)
        .where(Message.room_id == room_id)
    )
    head = {"room": {"id": room.id, "slug": room.slug, "name": room.name, "kind": room.kind}}
    return _document(db, head, query, batch_size)


def _document(db: Session, head: dict[str, Any], query: Select, batch_size: int) -> Iterator[str]:
    """The document for the messages `query` selects, up to the newest message there is now."""
    newest = db.exec(select(func.max(Message.id))).one() or 0
    db.rollback()
    query = query.where(col(Message.id) <= newest, col(Message.deleted_at).is_(None)).order_by(col(Message.id))
    return _chunks(db, {"exported_at": utcnow().isoformat(), **head}, query, batch_size)


def _chunks(db: Session, head: dict[str, Any], query: Select, batch_size: int) -> Iterator[str]:
    # `head` without its closing brace, then the messages array, then the brace.
    yield _dumps(head)[:-1] + ', "messages": [\n'
    after, separator = 0, ""
    while True:
        rows = db.execute(query.where(col(Message.id) > after).limit(batch_size)).mappings().all()
        filed = attachments.files_of(db, [row["id"] for row in rows if row["file_count"]])
        db.rollback()
        if rows:
            yield separator + ",\n".join(_dumps(_message(row, filed.get(row["id"], ()))) for row in rows)
            separator, after = ",\n", rows[-1]["id"]
        if len(rows) < batch_size:
            break
    yield "\n]}\n"


def _message(row: Any, files: tuple[attachments.FileView, ...] = ()) -> dict[str, Any]:
    """A row as JSON values: times in ISO 8601, UTC; with its files' metadata (never their bytes), if any."""
    found = {
        key: as_utc(value).isoformat() if isinstance(value, datetime) else value
        for key, value in row.items()
        if key != "file_count"
    }
    if files:
        found["files"] = [
            {"name": file.name, "size": file.size, "content_type": file.content_type, "kind": file.kind}
            | ({"width": file.width, "height": file.height} if file.kind == attachments.IMAGE else {})
            for file in files
        ]
    return found


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
