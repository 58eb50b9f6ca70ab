"""Threads: replies to a room's message, kept beside the room's own stream (Slack's and Mattermost's threads).

A reply is a message with `thread_id` (its parent, a message of the room itself), numbered 1, 2, 3… among
the thread's replies. The parent keeps the count, the latest reply's time and its latest repliers, so the
room shows "3 replies · last reply 2 min ago" without a query of its own. Who follows a thread (ThreadFollow):
its author, everyone who replied or was mentioned in it, anyone who chose to; their unread replies are the
thread's count past what they have read, while they may still read the room. A reply may also go to the
room: a message of the room quoting the parent (messages.post's `quote_id`).
"""

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, case, exists, func, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, messages
from djangochat_rx.domain.messages import InvalidMessage, MessageNotFound, MessageView, NotAllowed
from djangochat_rx.models import Message, Room, ThreadFollow, User, utcnow

# How many repliers a parent names (the faces beside "3 replies").
REPLIERS_SHOWN = 3


@dataclass(frozen=True)
class Replied:
    """A saved reply, its parent as the room now shows it, and the room it is in."""

    reply: MessageView
    parent: MessageView
    room_name: str
    slug: str
    # By username key, the unread replies of each follower (not the author) in all the threads they follow now.
    unread: dict[str, int]


@dataclass(frozen=True)
class ThreadView:
    """A followed thread as the Threads page lists it: its parent, its room and the user's unread replies."""

    parent: MessageView
    room_name: str
    slug: str
    unread: int


# The parent row is written first: it takes the write lock (SQLite) or the parent's row lock (PostgreSQL)
# before the reply's number is drawn, so a thread's replies are numbered in commit order.
_COUNT = (
    update(Message)
    .where(
        col(Message.id) == bindparam("parent"),
        col(Message.thread_id).is_(None),
        col(Message.deleted_at).is_(None),
        exists().where(
            Room.id == Message.room_id, col(Room.archived_at).is_(None), access.readable(bindparam("replier"))
        ),
    )
    .values(reply_count=Message.reply_count + 1, last_reply_at=bindparam("now"))
    .returning(Message.reply_count, Message.room_id, Message.author_id, Message.repliers)
)
_UPSERT = {"sqlite": sqlite_insert, "postgresql": postgres_insert}


def post_reply(db: Session, parent_id: int, author_id: int, text: str, client_id: str = "") -> Replied:
    """Save a reply in the thread of message `parent_id`, in one transaction: the parent's count, time and
    repliers move, the author follows the thread having read it, and so do its parent's author and the
    people it mentions (who may read the room), the reply unread for them. A retry under the same `client_id`
    posts nothing new. MessageNotFound for a message the author may not read."""
    body = messages.clean_body(text)
    client_id = client_id[:64] or None
    now = utcnow()
    database.begin_write(db)
    sql = db.connection()
    counted = sql.execute(_COUNT, {"parent": parent_id, "replier": author_id, "now": now}).first()
    if counted is None:
        raise _refusal(db, parent_id, author_id)
    seq, room_id, parent_author_id, repliers = counted
    author, mentioned, _ = messages.author_and_mentioned(db, author_id, body, room_id)
    row = {"room_id": room_id, "seq": seq, "author_id": author_id, "body": body, "created_at": now}
    row |= {"file_count": 0, "quote_id": None, "thread_id": parent_id}
    message_id = messages.insert_row(sql, {**row, "client_id": client_id})
    if message_id is None:  # a retry: the reply is there already
        db.rollback()
        earlier = messages.sent_before(db, author_id, client_id)
        if earlier is None or earlier.thread_id != parent_id or earlier.body != body:
            return post_reply(db, parent_id, author_id, text)  # a reused id under another text is a new reply
        return _replied(db, earlier.id, parent_id, room_id, {})
    messages.store_mentions(db, Message(id=message_id, **row), mentioned)
    latest = [author, *(name for name in repliers.split() if name != author)][:REPLIERS_SHOWN]
    if " ".join(latest) != repliers:
        sql.execute(update(Message).where(col(Message.id) == parent_id).values(repliers=" ".join(latest)))
    _follow(db, parent_id, room_id, {author_id: seq}, force=True)
    if parent_author_id != author_id:
        _follow(db, parent_id, room_id, {parent_author_id: 0}, force=False)
    _follow(db, parent_id, room_id, {user_id: seq - 1 for user_id in mentioned}, force=True, keep_read=True)
    db.commit()
    # Read after the commit, off the write lock: the sends of everyone else wait for no more than the reply.
    followers = select(ThreadFollow.user_id).where(
        ThreadFollow.message_id == parent_id, col(ThreadFollow.following), ThreadFollow.user_id != author_id
    )
    return _replied(db, message_id, parent_id, room_id, unread_totals(db, followers))


def _refusal(db: Session, parent_id: int, user_id: int) -> InvalidMessage:
    """Why message `parent_id` takes no reply from `user_id` (the transaction is ended)."""
    found = db.exec(
        select(Message.thread_id, Room.archived_at)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.id == parent_id, access.readable(user_id))
    ).first()
    db.rollback()
    if found is None:
        return MessageNotFound()
    thread_id, archived_at = found
    if archived_at is not None:
        return InvalidMessage("This room is archived; nobody can post in it.")
    if thread_id is not None:
        return InvalidMessage("This is a reply: answer in its thread.")
    return NotAllowed("This message was deleted.")


def _follow(
    db: Session, parent_id: int, room_id: int, read: dict[int, int], force: bool, keep_read: bool = False
) -> None:
    """Users (id -> the replies they have read) follow the thread: `force` even if they unfollowed it (else a
    row already there stays as it is); `keep_read` keeps what they had read when they followed it before."""
    if not read:
        return
    rows = [
        {"user_id": user_id, "message_id": parent_id, "room_id": room_id, "following": True, "read_count": count}
        for user_id, count in read.items()
    ]
    statement = _UPSERT[db.connection().dialect.name](ThreadFollow).values(rows)
    keys = ["user_id", "message_id"]
    if not force:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    elif keep_read:
        statement = statement.on_conflict_do_update(index_elements=keys, set_={"following": True})
    else:
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={"following": True, "read_count": excluded.read_count}
        )
    db.execute(statement)


def _replied(db: Session, reply_id: int, parent_id: int, room_id: int, unread: dict[str, int]) -> Replied:
    parent, reply = messages.views(
        db, select(Message, User.username).where(col(Message.id).in_([parent_id, reply_id])).order_by(col(Message.id))
    )
    name, slug = db.exec(select(Room.name, Room.slug).where(Room.id == room_id)).one()
    db.rollback()
    return Replied(reply, parent, name, slug, unread)


def _still_readable():
    """A condition on (ThreadFollow, Room): the follower may still read the thread's room."""
    return access.readable(ThreadFollow.user_id)


def _unread_sum():
    return func.coalesce(func.sum(Message.reply_count - ThreadFollow.read_count), 0)


def _followed():
    """The (ThreadFollow, Message, Room) rows of threads being followed in rooms their follower may read."""
    return (
        select()
        .select_from(ThreadFollow)
        .join(Message, col(Message.id) == ThreadFollow.message_id)
        .join(Room, col(Room.id) == Message.room_id)
        .where(col(ThreadFollow.following), _still_readable())
    )


def unread_totals(db: Session, user_ids: Select) -> dict[str, int]:
    """By username key, how many replies each of the users `user_ids` selects has not read in the threads
    they follow (one query)."""
    query = (
        _followed()
        .join(User, col(User.id) == ThreadFollow.user_id)
        .add_columns(User.username_key, _unread_sum())
        .where(col(ThreadFollow.user_id).in_(user_ids))
        .group_by(User.username_key)
    )
    return {key: int(count) for key, count in db.exec(query)}


def unread_total(db: Session, user_id: int) -> int:
    """How many replies the user has not read in the threads they follow."""
    query = _followed().add_columns(_unread_sum()).where(ThreadFollow.user_id == user_id)
    return int(db.exec(query).scalar_one())


def _readable_parent(db: Session, user_id: int, parent_id: int, room_id: int | None = None) -> Message:
    """Message `parent_id` if it is a message of a room the user may read (not a reply), of room `room_id`
    when given; else MessageNotFound."""
    parent = db.exec(
        select(Message)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.id == parent_id, col(Message.thread_id).is_(None), access.readable(user_id))
    ).first()
    if parent is None or room_id not in (None, parent.room_id):
        db.rollback()
        raise MessageNotFound()
    return parent


def check_thread(db: Session, user_id: int, parent_id: int, room_id: int | None = None) -> None:
    """MessageNotFound unless the user may read the thread of message `parent_id` (of room `room_id`, when given):
    what a panel checks before it watches the thread."""
    _readable_parent(db, user_id, parent_id, room_id)
    db.rollback()


def thread(
    db: Session, user_id: int, parent_id: int, room_id: int | None = None
) -> tuple[MessageView, list[MessageView], bool]:
    """The thread of message `parent_id` as the user's panel shows it: the parent, its newest THREAD_WINDOW
    replies oldest first, and whether the user follows it. MessageNotFound for one they may not read (or one
    outside `room_id`, when given: the tab's room)."""
    _readable_parent(db, user_id, parent_id, room_id)
    [parent] = messages.views(db, select(Message, User.username).where(Message.id == parent_id))
    newest = (
        select(Message, User.username)
        .where(Message.thread_id == parent_id)
        .order_by(col(Message.seq).desc())
        .limit(settings.THREAD_WINDOW)
    )
    replies = messages.views(db, newest)[::-1]
    follow = db.get(ThreadFollow, (user_id, parent_id))
    db.rollback()
    return parent, replies, follow is not None and follow.following


def mark_read(db: Session, user_id: int, parent_id: int, seq: int) -> int | None:
    """The user has seen the thread's replies up to `seq` (never moving back): their unread replies in every
    thread they follow now, or None when nothing changed (they do not follow it, or had read that far)."""
    database.begin_write(db)
    moved = db.execute(
        update(ThreadFollow)
        .where(
            col(ThreadFollow.user_id) == user_id,
            col(ThreadFollow.message_id) == parent_id,
            col(ThreadFollow.read_count) < seq,
        )
        .values(
            read_count=select(case((Message.reply_count < seq, Message.reply_count), else_=seq))
            .where(Message.id == parent_id)
            .scalar_subquery()
        )
    ).rowcount
    if not moved:
        db.rollback()
        return None
    total = unread_total(db, user_id)
    db.commit()
    return total


def set_following(db: Session, user_id: int, parent_id: int, following: bool) -> int:
    """Follow the thread (its replies so far count as read) or stop following it; the user's unread replies in
    every thread they follow now. MessageNotFound for a message they may not read."""
    database.begin_write(db)
    parent = _readable_parent(db, user_id, parent_id)
    _follow(db, parent_id, parent.room_id, {user_id: parent.reply_count}, force=True)
    if not following:
        db.execute(
            update(ThreadFollow)
            .where(col(ThreadFollow.user_id) == user_id, col(ThreadFollow.message_id) == parent_id)
            .values(following=False)
        )
    total = unread_total(db, user_id)
    db.commit()
    return total


def followed_threads(db: Session, user_id: int, limit: int = settings.THREADS_LISTED) -> list[ThreadView]:
    """The threads the user follows in rooms they may read, those with unread replies first, then by their
    latest reply, newest first (one query for the threads, then the messages' views)."""
    unread = Message.reply_count - ThreadFollow.read_count
    rows = db.exec(
        _followed()
        .add_columns(Message.id, Room.name, Room.slug, unread)
        .where(ThreadFollow.user_id == user_id, Message.reply_count > 0)
        .order_by((unread > 0).desc(), col(Message.last_reply_at).desc(), col(Message.id).desc())
        .limit(limit)
    ).all()
    found = messages.views_by_id(db, [row[0] for row in rows])
    db.rollback()
    return [ThreadView(found[parent_id], name, slug, count) for parent_id, name, slug, count in rows]
