"""Read markers: how far each user has read each room, unread counts and unread mentions."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx.domain import access, markup
from djangochat_rx.domain.rooms import BY_ACTIVITY, RoomNotFound
from djangochat_rx.models import Mention, Message, Room, RoomRead, User, as_utc


@dataclass(frozen=True)
class RoomSummary:
    """A room as the rooms list shows it to one user; `last_preview` is plain text, `last_message_at` ISO 8601.
    The lists every viewer shares carry no per-user values (read 0, not mentioned) and say who is `online`.
    `active_at` (ISO 8601) orders the lists: the newest message, or the room's creation before any."""

    id: int
    slug: str
    name: str
    description: str
    message_count: int
    last_message_at: str
    last_author: str
    last_preview: str
    read_seq: int
    unread: int
    mentioned: bool
    kind: str = access.PUBLIC
    archived: bool = False
    online: int = 0
    active_at: str = ""


def _marker(user_id: int, room_id: int):
    return and_(col(RoomRead.user_id) == user_id, col(RoomRead.room_id) == room_id)


# Moving a marker forward, built once (it runs on every send).
_FORWARD = (
    update(RoomRead)
    .where(_marker(bindparam("reader"), bindparam("room")), col(RoomRead.last_read_seq) < bindparam("seq"))
    .values(last_read_seq=bindparam("seq"))
)


def move_marker(db: Session, user_id: int, room_id: int, seq: int) -> int:
    """Move the read marker forward to `seq` inside the caller's write transaction; the stored marker."""
    forward = {"reader": user_id, "room": room_id, "seq": seq}
    if db.connection().execute(_FORWARD, forward).rowcount:
        return seq
    stored = db.exec(select(RoomRead.last_read_seq).where(_marker(user_id, room_id))).first()
    if stored is not None:
        return stored
    try:
        with db.begin_nested():
            db.execute(insert(RoomRead).values(user_id=user_id, room_id=room_id, last_read_seq=seq))
    except IntegrityError:  # another connection inserted the marker first (Postgres)
        db.connection().execute(_FORWARD, forward)
        return db.exec(select(RoomRead.last_read_seq).where(_marker(user_id, room_id))).one()
    return seq


def mark_read(db: Session, user_id: int, room_id: int, seq: int) -> int:
    """Record that the user has read the room up to message `seq` (never moving back, never past the
    newest message); the stored marker. RoomNotFound if the user may not read the room."""
    database.begin_write(db)
    newest = db.exec(select(Room.message_count).where(Room.id == room_id, access.readable(user_id))).first()
    if newest is None:
        db.rollback()
        raise RoomNotFound()
    stored = move_marker(db, user_id, room_id, max(0, min(seq, newest)))
    db.commit()
    return stored


def read_seq(db: Session, user_id: int, room_id: int) -> int:
    """The seq the user has read the room up to; 0 if they never opened it."""
    return db.exec(select(RoomRead.last_read_seq).where(_marker(user_id, room_id))).first() or 0


def room_summaries(db: Session, user_id: int | None) -> list[RoomSummary]:
    """Every room the user may read in rooms.BY_ACTIVITY order, with its newest message and the user's unread count and
    unread mentions (none read and no mentions for user None: the list all viewers share); one query
    however many rooms there are."""
    return _summaries(db, user_id, access.readable(user_id))


def public_page(db: Session, user_id: int, offset: int, limit: int) -> list[RoomSummary]:
    """Public rooms `offset` to `offset + limit` in rooms.BY_ACTIVITY order, with the user's unread counts
    (the rooms page's "Show more rooms", past the live first page); for a guest, only those they are in."""
    return _summaries(db, user_id, and_(access.readable(None), access.readable(user_id)), offset, limit)


def summary_of(db: Session, room_id: int) -> RoomSummary | None:
    """Room `room_id` as every viewer's rooms list shows it (no per-user values); None if there is no such room."""
    found = _summaries(db, None, col(Room.id) == room_id)
    return found[0] if found else None


def _summaries(db: Session, user_id: int | None, where, offset: int = 0, limit: int | None = None) -> list[RoomSummary]:
    read = func.coalesce(RoomRead.last_read_seq, 0)
    mentioned = exists().where(Mention.user_id == user_id, Mention.room_id == Room.id, col(Mention.seq) > read)
    rows = db.exec(
        select(Room, read, mentioned, Message.body, Message.deleted_at, Message.removed_by_id, User.username)
        .outerjoin(RoomRead, and_(RoomRead.room_id == Room.id, RoomRead.user_id == user_id))
        # Messages are never removed, so the room's newest message is the one whose seq is its count.
        .outerjoin(
            Message,
            and_(Message.room_id == Room.id, Message.seq == Room.message_count, col(Message.thread_id).is_(None)),
        )
        .outerjoin(User, User.id == Message.author_id)
        .where(where)
        .order_by(*BY_ACTIVITY, col(Room.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        RoomSummary(
            id=room.id,
            slug=room.slug,
            name=room.name,
            description=room.description,
            message_count=room.message_count,
            last_message_at=as_utc(room.last_message_at).isoformat() if room.last_message_at else "",
            last_author=author or "",
            last_preview=preview(body, deleted_at is not None, removed_by is not None),
            read_seq=max(seq, room.purged_seq),  # what retention deleted is read by nobody, so by everyone
            unread=max(room.message_count - max(seq, room.purged_seq), 0),
            mentioned=bool(is_mentioned),
            kind=room.kind,
            archived=room.archived_at is not None,
            active_at=as_utc(room.last_message_at or room.created_at).isoformat(),
        )
        for room, seq, is_mentioned, body, deleted_at, removed_by, author in rows
    ]


def preview(body: str | None, deleted: bool, removed: bool) -> str:
    """A rooms-list line for a message: its plain text, or what happened to it."""
    if removed:
        return "removed by a moderator"
    if deleted:
        return "message deleted"
    return markup.preview(body) if body else ""


def _unread_mentions(*columns):
    """A query for `columns` of the mentions that their users have not read yet, by room slug."""
    return (
        select(*columns)
        .select_from(Mention)
        .distinct()
        .join(Room, Room.id == Mention.room_id)
        .outerjoin(RoomRead, and_(RoomRead.room_id == Mention.room_id, RoomRead.user_id == Mention.user_id))
        .where(col(Mention.seq) > func.coalesce(RoomRead.last_read_seq, 0))
        # Only rooms the mentioned user may still read (one removed from a private room is not told).
        .where(access.readable(Mention.user_id))
        .order_by(Room.slug)
    )


def unread_mention_rooms(db: Session, user_id: int) -> list[str]:
    """Slugs of the rooms where someone mentioned the user after their read marker, by slug."""
    return list(db.exec(_unread_mentions(Room.slug).where(Mention.user_id == user_id)))


def mention_marks(db: Session, usernames: Iterable[str]) -> dict[str, list[str]]:
    """unread_mention_rooms of each of these users (a new message's mentions), by username key; one query."""
    query = _unread_mentions(User.username_key, Room.slug).join(User, User.id == Mention.user_id)
    marks: dict[str, list[str]] = {}
    for key, slug in db.exec(query.where(col(User.username).in_(list(usernames)))):
        marks.setdefault(key, []).append(slug)
    return marks
