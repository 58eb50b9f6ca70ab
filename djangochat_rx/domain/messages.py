"""Messages: validate, post, edit and delete, and read a room's history by id cursor."""

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import (
    access,
    accounts,
    attachments,
    link_previews,
    markup,
    poll_views,
    reactions,
    reads,
    user_groups,
)
from djangochat_rx.domain.attachments import FileView
from djangochat_rx.domain.link_previews import PreviewView
from djangochat_rx.domain.poll_views import PollView
from djangochat_rx.domain.reactions import ReactionView
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.models import (
    Mention,
    Message,
    MessageEdit,
    Pin,
    Poll,
    Reaction,
    Room,
    RoomMember,
    RoomRead,
    User,
    as_utc,
    utcnow,
)


class InvalidMessage(Exception):
    """A message that cannot be posted or changed; its text is safe to show next to the message box."""


class MessageNotFound(InvalidMessage):
    def __init__(self) -> None:
        super().__init__("Message not found.")


class JobTaken(Exception):
    """The job a send carries out (post's `claim`) was done or cancelled meanwhile: nothing was posted."""


class NotAllowed(InvalidMessage):
    """The user may not change this message: someone else's, deleted, or past the edit window."""


@dataclass(frozen=True)
class MessageView:
    """A message as every viewer sees it; `html` is its sanitised Markdown, `created_at` ISO 8601 in UTC,
    `mentions` the usernames it mentions. A deleted message is a placeholder with empty `body` and `html`;
    `removed` says a moderator deleted it, not its author."""

    id: int
    room_id: int
    seq: int
    author: str
    body: str
    html: str
    created_at: str
    edited: bool
    deleted: bool
    removed: bool
    mentions: tuple[str, ...]
    # Its emoji reactions, each emoji in the order first used (reactions.py).
    reactions: tuple[ReactionView, ...] = ()
    # The files posted with it, in upload order (attachments.py).
    files: tuple[FileView, ...] = ()
    # Threads (threads.py): a reply's parent (0: a message of the room itself); on a message with replies,
    # how many, when the latest came (ISO 8601) and its latest repliers, most recent first.
    thread_id: int = 0
    reply_count: int = 0
    last_reply_at: str = ""
    repliers: tuple[str, ...] = ()
    # A message sent to the room from a thread quotes the thread's parent: its id, author and first line.
    quote_id: int = 0
    quote_author: str = ""
    quote_text: str = ""
    # A forwarded copy (forwarding.py): the original's id and author (its room is never shown: the link to it,
    # routes.located, opens only for those who may read it).
    forward_id: int = 0
    forward_author: str = ""
    # A poll's message carries the poll (poll_views.py): its answers and votes, live.
    poll: PollView | None = None
    # The cards of its first links, fetched after it was sent (link_previews.py).
    previews: tuple[PreviewView, ...] = ()


def clean_body(typed: str, with_files: bool = False) -> str:
    """The text to store: newlines normalised, control characters other than newline and tab, bidi
    controls and zero-width characters removed (text.py), surrounding whitespace trimmed; InvalidMessage
    if too long, or empty (unless files go with it)."""
    text = typed.replace("\r\n", "\n").replace("\r", "\n")
    text = without_hidden(text).strip()
    if not text and not with_files:
        raise InvalidMessage("Type a message first.")
    if len(text) > settings.MESSAGE_MAX_CHARS:
        raise InvalidMessage(f"Message is {len(text)} characters; the limit is {settings.MESSAGE_MAX_CHARS}.")
    return text


def view(
    message: Message,
    author: str,
    mentioned: Iterable[tuple[str, str]] = (),
    reactions: tuple[ReactionView, ...] = (),
    files: tuple[FileView, ...] = (),
    quote: tuple[str, str] = ("", ""),
    poll: PollView | None = None,
    forwarded_from: str = "",
    groups: frozenset[str] = frozenset(),
) -> MessageView:
    """The view of `message`; `mentioned` holds the (username, username_key) of each user it mentions,
    `quote` the author and first line of the message it quotes, `poll` the poll it asks, `forwarded_from` the
    author of the message it is a forwarded copy of, `groups` the names of the user groups it mentions."""
    deleted = message.deleted_at is not None
    mentioned = [] if deleted else sorted(mentioned, key=lambda user: user[1])
    return MessageView(
        id=message.id,
        room_id=message.room_id,
        seq=message.seq,
        author=author,
        body="" if deleted else message.body,
        html="" if deleted else body_html(message.body, author, frozenset(key for _, key in mentioned), groups),
        created_at=as_utc(message.created_at).isoformat(),
        edited=message.edited_at is not None,
        deleted=deleted,
        removed=message.removed_by_id is not None,
        mentions=tuple(name for name, _ in mentioned),
        reactions=() if deleted else reactions,
        files=() if deleted else files,
        thread_id=message.thread_id or 0,
        reply_count=message.reply_count,
        last_reply_at=as_utc(message.last_reply_at).isoformat() if message.last_reply_at else "",
        repliers=tuple(message.repliers.split()),
        quote_id=message.quote_id or 0,
        quote_author=quote[0],
        quote_text=quote[1],
        poll=None if deleted else poll,
        forward_id=message.forward_of_id or 0,
        forward_author=forwarded_from,
    )


def first_line(body: str, deleted: bool = False) -> str:
    """What a quote shows of a message: its first line, shortened."""
    if deleted:
        return "message deleted"
    line = body.strip().split("\n", 1)[0]
    return line if len(line) <= QUOTE_CHARS else line[: QUOTE_CHARS - 1] + "…"


QUOTE_CHARS = 120


def body_html(body: str, author: str, mentioned: frozenset[str], groups: frozenset[str] = frozenset()) -> str:
    """A body's sanitised HTML, its mentions of people and of the user `groups` highlighted; a me message
    ("/me waves") as "*alice waves*"."""
    mentions = mentioned | _groups(body)
    action = markup.me_action(body)
    if action is None:
        return markup.render(body, mentions, groups)
    return markup.render_me(author, action, mentions, groups)


def _groups(body: str) -> frozenset[str]:
    """The `@room` / `@here` a body uses, highlighted like a mention of a person."""
    if "@room" not in body.lower() and "@here" not in body.lower():
        return frozenset()
    return frozenset(markup.mention_candidates(body) & {"room", "here"})


def author_and_mentioned(
    db: Session, author_id: int, body: str, room_id: int, present: Iterable[str] = ()
) -> tuple[str, dict[int, tuple[str, str]], frozenset[str]]:
    """The author's username; by user id, the (username, username_key) of the other active users
    that `body` mentions and who may read the room (a mention never tells anyone a private room exists):
    by name, everyone in the room for `@room` (room_people), the `present` usernames for `@here`, the members of
    a user group for `@group` (user_groups.mentioned); and the names of the groups it mentions. A name that is no
    user who may read the room costs one more query (it may be a group's)."""
    keys = markup.mention_candidates(body)
    everyone, here = "room" in keys, "here" in keys
    keys -= accounts.RESERVED_NAMES
    if here:
        keys |= {accounts.username_key(name) for name in present}
    wanted = col(User.id) == author_id
    if keys:
        may_read = access.readable(User.id, room_id)
        wanted = or_(wanted, and_(col(User.username_key).in_(keys), col(User.is_active), may_read))
    author, mentioned, named = "", {}, set()
    for user_id, username, key in db.exec(select(User.id, User.username, User.username_key).where(wanted)):
        named.add(key)
        if user_id == author_id:
            author = username
        else:
            mentioned[user_id] = (username, key)
    groups: frozenset[str] = frozenset()
    if unknown := keys - named:
        groups, members, largest = user_groups.mentioned(db, author_id, room_id, unknown)
        _check_big(db, author_id, room_id, largest, "a group")
        mentioned.update(members)
    if everyone:
        mentioned.update(_room_people(db, author_id, room_id))
    return author, mentioned, groups


def _check_big(db: Session, author_id: int, room_id: int, people: int, what: str) -> None:
    """Past ROOM_MENTION_OWNER_ONLY_OVER people told at once (`@room`, a big group), only the room's owner may."""
    limit = settings.ROOM_MENTION_OWNER_ONLY_OVER
    if people <= limit:
        return
    creator = db.exec(select(Room.created_by_id).where(Room.id == room_id)).one()
    if creator != author_id and not access.is_owner(db, author_id, room_id):
        db.rollback()
        if what == "@room":
            raise InvalidMessage(f"Only the room's owner may mention @room when it has more than {limit} people.")
        raise InvalidMessage(f"Only the room's owner may mention a group of more than {limit} people here.")


def _room_people(db: Session, author_id: int, room_id: int) -> dict[int, tuple[str, str]]:
    """Who `@room` mentions: a private room's or conversation's members; in a public room everyone who has
    opened it (has a read marker). Past ROOM_MENTION_OWNER_ONLY_OVER people only the owner may."""
    kind = db.exec(select(Room.kind).where(Room.id == room_id)).one()
    if kind == access.PUBLIC:
        people = select(User.id, User.username, User.username_key).join(
            RoomRead, (RoomRead.user_id == User.id) & (RoomRead.room_id == room_id)
        )
    else:
        people = select(User.id, User.username, User.username_key).join(
            RoomMember, (RoomMember.user_id == User.id) & (RoomMember.room_id == room_id)
        )
    people = people.where(col(User.is_active), col(User.id) != author_id, access.readable(User.id, room_id))
    found = {user_id: (username, key) for user_id, username, key in db.exec(people)}
    _check_big(db, author_id, room_id, len(found), "@room")
    return found


def store_mentions(db: Session, message: Message, user_ids: Iterable[int]) -> None:
    seq = 0 if message.thread_id else message.seq  # a reply's is never a room's unread mention
    rows = [
        {"message_id": message.id, "user_id": user_id, "room_id": message.room_id, "seq": seq} for user_id in user_ids
    ]
    if rows:
        db.execute(insert(Mention), rows)


@dataclass(frozen=True)
class Posted:
    """A saved message and the room it went to (name and slug, for the notices it causes)."""

    message: MessageView
    room_name: str
    slug: str
    # A direct conversation's (its other members hear of every message, push.py).
    direct: bool = False


def post_message(db: Session, room_id: int, author_id: int, text: str, client_id: str = "") -> MessageView:
    """post() for callers that need only the message."""
    return post(db, room_id, author_id, text, client_id).message


# The send path's statements, built once: SQLAlchemy's expression building costs more than SQLite's work.
_AUTHOR = select(User.username).where(col(User.id) == bindparam("author_id"))
# The room's next seq, its name and kind, and the author's name, in one statement.
_COUNT = (
    update(Room)
    .where(
        col(Room.id) == bindparam("room_id"), col(Room.archived_at).is_(None), access.readable(bindparam("author_id"))
    )
    .values(message_count=Room.message_count + 1, last_message_at=bindparam("now"))
    .returning(Room.message_count, Room.name, Room.slug, Room.kind, _AUTHOR.scalar_subquery())
)
# A retry under the same client id inserts nothing (the unique (author_id, client_id) index), on
# either database, even when two connections race with it.
_INSERT = {
    dialect: insert_into(Message)
    .on_conflict_do_nothing(index_elements=["author_id", "client_id"])
    .returning(Message.id)
    for dialect, insert_into in (("sqlite", sqlite_insert), ("postgresql", postgres_insert))
}


def insert_row(sql, row: dict) -> int | None:
    """Insert a message row on connection `sql`: its new id, or None when the author sent it before under
    its client id (a retry inserts nothing)."""
    return sql.execute(_INSERT[sql.dialect.name], row).scalar()


def post(
    db: Session,
    room_id: int,
    author_id: int,
    text: str,
    client_id: str = "",
    present: Iterable[str] = (),
    file_ids: Iterable[int] = (),
    quote_id: int | None = None,
    forward_of_id: int | None = None,
    claim: Callable[[Session], bool] | None = None,
    in_transaction: bool = False,
) -> Posted:
    """Save a message with the room's next seq and its mentions, bump the room's counters and move
    the author's read marker past it, in one transaction (`in_transaction`: in the caller's write transaction,
    begun and committed by the caller, as a forwarding's messages are; a refusal rolls it all back).

    `present` (who is in the room now) is whom an `@here` mentions.
    `client_id` (the sender's random id for this message) makes a retried send idempotent: the
    message already saved under it is returned and nothing new is written.
    The room row is written first: it takes the write lock (SQLite) or the room's row lock
    (Postgres) before the id and seq are drawn, so within a room both follow commit order.
    `file_ids` are the author's uploads to this room that go with it (attachments.bind); then the text may be empty.
    `quote_id`: the message of the same room it quotes (a reply also sent to the room quotes its thread's parent;
    the caller has checked it). `forward_of_id`: the message it is a forwarded copy of (forwarding.py checked it).
    `claim`: a durable job's claim (scheduled.claim), run first in the same transaction, so the job turns done with
    the message or not at all; JobTaken when it answers False (done elsewhere).
    """
    try:
        files = attachments.check_count(file_ids)
    except attachments.FileRefused as refused:
        raise InvalidMessage(str(refused)) from None
    body = clean_body(text, with_files=bool(files))
    client_id = client_id[:64] or None
    now = utcnow()
    if not in_transaction:
        database.begin_write(db)
    if claim is not None and not claim(db):
        db.rollback()
        raise JobTaken()
    sql = db.connection()
    params = {"author_id": author_id, "room_id": room_id, "now": now}
    counted = sql.execute(_COUNT, params).first()
    if counted is None:
        archived = db.exec(select(Room.id).where(Room.id == room_id, access.readable(author_id))).first()
        db.rollback()
        raise InvalidMessage("This room is archived; nobody can post in it.") if archived else RoomNotFound()
    seq, room_name, slug, kind, author = counted
    mentioned, groups = {}, frozenset()
    if not forward_of_id and markup.mention_candidates(body):  # a copy's @names are quoted words: no one is told
        _, mentioned, groups = author_and_mentioned(db, author_id, body, room_id, present)
    row = {"room_id": room_id, "seq": seq, "author_id": author_id, "body": body, "created_at": now}
    row["file_count"] = len(files)
    row["quote_id"] = quote_id
    if forward_of_id:
        row["forward_of_id"] = forward_of_id
    message_id = insert_row(sql, {**row, "client_id": client_id})
    if message_id is None:  # sent before under this client id (a retry): nothing new is written
        db.rollback()
        earlier = sent_before(db, author_id, client_id)
        if earlier.body == body and earlier.room_id == room_id:
            return _posted_in(db, earlier)
        # A different text or another room under a reused id is a new message, never a lost one.
        return post(db, room_id, author_id, text, file_ids=files)
    # Never added to the session, and made of values this function has just checked: built without validating
    # them again (Message(...) costs ~40 µs of the send path, model_construct ~6).
    message = Message.model_construct(id=message_id, client_id=client_id, **row)
    quote = _quotes(db, [message]).get(message_id, ("", "")) if quote_id else ("", "")
    forwarded_from = _forwarded(db, [message]).get(message_id, "") if forward_of_id else ""
    posted_files: tuple[FileView, ...] = ()
    if files:
        try:
            attachments.bind(db, author_id, room_id, message_id, files, now)
        except attachments.FileRefused as refused:
            db.rollback()
            raise InvalidMessage(str(refused)) from None
        posted_files = attachments.files_of(db, [message_id]).get(message_id, ())
    store_mentions(db, message, mentioned)
    reads.move_marker(db, author_id, room_id, seq)
    if not in_transaction:
        db.commit()
    return Posted(
        view(message, author, mentioned.values(), (), posted_files, quote, None, forwarded_from, groups),
        room_name,
        slug,
        kind == access.DM,
    )


def warm_up(db: Session) -> None:
    """Compile the send path's statements and build the renderer's caches once, at start, so the first
    message after a start costs what every other does (compiling them put ~10 ms on that one send).
    Nothing is written: the statements name no row, and the transaction is rolled back."""
    markup.render("**warm** _up_ @nobody https://example.com")
    database.begin_write(db)
    sql = db.connection()
    nobody = {"author_id": 0, "room_id": 0, "now": utcnow()}
    sql.execute(_COUNT, nobody)
    sql.execute(reads._FORWARD, {"reader": 0, "room": 0, "seq": 0})
    row = {"room_id": 0, "seq": 0, "author_id": 0, "body": "", "created_at": nobody["now"], "client_id": None}
    row["file_count"], row["quote_id"] = 0, None
    with contextlib.suppress(IntegrityError):  # no room 0: the statement is compiled all the same
        sql.execute(_INSERT[sql.dialect.name], row)
    db.rollback()
    reactions.warm_up(db)


def _posted_in(db: Session, message: MessageView) -> Posted:
    """An earlier send of the same message (a retry), with its room."""
    name, slug, kind = db.exec(select(Room.name, Room.slug, Room.kind).where(Room.id == message.room_id)).one()
    db.rollback()
    return Posted(message, name, slug, kind == access.DM)


def sent_before(db: Session, author_id: int, client_id: str) -> MessageView | None:
    found = views(
        db, select(Message, User.username).where(Message.author_id == author_id, Message.client_id == client_id)
    )
    return found[0] if found else None


def _own_message(
    db: Session, message_id: int, user_id: int, room_id: int | None, now: datetime, editing: bool = True
) -> tuple[Message, str]:
    """The message (locked for the transaction) and its author's name, if the user may still change it (`editing`:
    its text; a poll's cannot be); otherwise the transaction is ended and MessageNotFound or NotAllowed raised."""
    row = db.exec(
        select(Message, User.username)
        .join(User, col(User.id) == Message.author_id)
        .where(Message.id == message_id)
        .with_for_update(of=Message)
        .execution_options(populate_existing=True)
    ).first()
    message, author = row if row is not None else (None, "")
    window = timedelta(minutes=settings.EDIT_WINDOW_MINUTES)
    error = None
    if (
        message is None
        or room_id not in (None, message.room_id)
        or not access.can_read_id(db, user_id, message.room_id)
    ):
        error = MessageNotFound()
    elif message.author_id != user_id:
        error = NotAllowed("You can only change your own messages.")
    elif message.deleted_at is not None:
        error = NotAllowed("This message was deleted.")
    elif db.exec(select(Room.archived_at).where(Room.id == message.room_id)).one() is not None:
        error = NotAllowed("This room is archived; nobody can change its messages.")
    elif editing and poll_views.maybe_poll(message.body) and db.get(Poll, message_id) is not None:
        error = NotAllowed("A poll cannot be edited; close it, or delete it and ask again.")
    elif now - as_utc(message.created_at) > window:
        error = NotAllowed(f"Messages can only be changed for {settings.EDIT_WINDOW_MINUTES} minutes after sending.")
    if error is not None:
        db.rollback()
        raise error
    return message, author


def edit_message(
    db: Session, message_id: int, user_id: int, text: str, room_id: int | None = None, now: datetime | None = None
) -> MessageView:
    """Replace the text of the user's own message within the edit window (the same text again changes nothing);
    its mentions follow the new text."""
    body = clean_body(text)
    now = now or utcnow()
    database.begin_write(db)
    message, author = _own_message(db, message_id, user_id, room_id, now)
    _, mentioned, groups = author_and_mentioned(db, user_id, body, message.room_id)
    if body != message.body:  # the version it replaces is kept (edit_history.py); the same text is no new version
        since = as_utc(message.edited_at or message.created_at)
        db.add(MessageEdit(message_id=message_id, body=message.body, since=since, until=now))
        message.body, message.edited_at = body, now
    db.execute(delete(Mention).where(col(Mention.message_id) == message_id))
    store_mentions(db, message, mentioned)
    db.commit()
    kept = reactions.summaries(db, [message_id]).get(message_id, ())
    files = attachments.files_of(db, [message_id]).get(message_id, ()) if message.file_count else ()
    [edited] = _with_previews(db, [view(message, author, mentioned.values(), kept, files, groups=groups)])
    db.rollback()
    return edited


def delete_message(
    db: Session, message_id: int, user_id: int, room_id: int | None = None, now: datetime | None = None
) -> MessageView:
    """Delete the user's own message within the edit window: its text and mentions are erased and a
    placeholder keeps its place (and seq) in the room; returns the placeholder."""
    now = now or utcnow()
    database.begin_write(db)
    message, author = _own_message(db, message_id, user_id, room_id, now, editing=False)
    files = erase(db, message, now)
    db.commit()
    attachments.forget(db, files)
    return view(message, author)


def erase(db: Session, message: Message, now: datetime) -> list[str]:
    """Soft-delete `message` in the caller's transaction: its text, earlier versions, mentions, pin, reactions and
    files go, its row (and seq) stays. The files' storage keys, for attachments.forget after the commit."""
    message.body, message.deleted_at = "", now
    db.execute(delete(MessageEdit).where(col(MessageEdit.message_id) == message.id))
    db.execute(delete(Mention).where(col(Mention.message_id) == message.id))
    db.execute(delete(Pin).where(col(Pin.message_id) == message.id))
    db.execute(delete(Reaction).where(col(Reaction.message_id) == message.id))
    return attachments.discard(db, message.id, now) if message.file_count else []


def message_source(
    db: Session, message_id: int, user_id: int, room_id: int | None = None, now: datetime | None = None
) -> str:
    """The typed text of the user's own message, for the editor, if they may still edit it."""
    message, _ = _own_message(db, message_id, user_id, room_id, now or utcnow())
    db.rollback()  # release the row lock the check took
    return message.body


def _forwarded(db: Session, copies: Iterable[Message]) -> dict[int, str]:
    """By forwarded copy's id, the author of the message it copies ("" when that message is gone; one query)."""
    wanted = {message.id: message.forward_of_id for message in copies if message.forward_of_id}
    if not wanted:
        return {}
    authors = dict(
        db.exec(
            select(Message.id, User.username)
            .join(User, col(User.id) == Message.author_id)
            .where(col(Message.id).in_(set(wanted.values())))
        ).all()
    )
    return {message_id: authors.get(original_id, "") for message_id, original_id in wanted.items()}


def _quotes(db: Session, quoting: Iterable[Message]) -> dict[int, tuple[str, str]]:
    """By quoting message id, the author and first line of the message it quotes (one query)."""
    wanted = {message.id: message.quote_id for message in quoting if message.quote_id}
    if not wanted:
        return {}
    quoted = {
        quoted_id: (author, first_line(body, deleted_at is not None))
        for quoted_id, author, body, deleted_at in db.exec(
            select(Message.id, User.username, Message.body, Message.deleted_at)
            .join(User, col(User.id) == Message.author_id)
            .where(col(Message.id).in_(set(wanted.values())))
        )
    }
    return {message_id: quoted.get(quoted_id, ("", "")) for message_id, quoted_id in wanted.items()}


def views(db: Session, query) -> list[MessageView]:
    """Views of the (Message, author) rows `query` selects, in its order: one query for the messages
    and their authors, one for the users mentioned in them (none if no text has an "@"), one for their
    reactions (none for no rows), one for their files (none if no message has any), one for the messages
    they quote (none if none quotes), for their polls (none if no text starts as a poll's does), for the
    authors of the messages they are forwarded copies of (none if none is), and for their links' cards (none if
    none links)."""
    rows = db.exec(query.join(User, col(User.id) == Message.author_id)).all()
    reacted = reactions.summaries(db, [message.id for message, _ in rows])
    filed = attachments.files_of(db, [message.id for message, _ in rows if message.file_count])
    quotes = _quotes(db, [message for message, _ in rows])
    polls = poll_views.polls_of(db, [message.id for message, _ in rows if poll_views.maybe_poll(message.body)])
    forwarded = _forwarded(db, [message for message, _ in rows])
    mentioned: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if ids := [message.id for message, _ in rows if "@" in message.body]:
        for message_id, username, key in db.exec(
            select(Mention.message_id, User.username, User.username_key)
            .join(User, col(User.id) == Mention.user_id)
            .where(col(Mention.message_id).in_(ids))
        ):
            mentioned[message_id].append((username, key))
    groups = _groups_named(db, [(message, author, mentioned[message.id]) for message, author in rows])
    return _with_previews(
        db,
        [
            view(
                message,
                author,
                mentioned[message.id],
                reacted.get(message.id, ()),
                filed.get(message.id, ()),
                quotes.get(message.id, ("", "")),
                polls.get(message.id),
                forwarded.get(message.id, ""),
                groups.get(message.id, frozenset()),
            )
            for message, author in rows
        ],
    )


def _groups_named(
    db: Session, listed: Iterable[tuple[Message, str, list[tuple[str, str]]]]
) -> dict[int, frozenset[str]]:
    """By message id, the user groups its `@name`s name (one query, none when every `@name` of every message is
    someone it mentions or its author: no group takes a person's name)."""
    wanted: dict[int, set[str]] = {}
    for message, author, people in listed:
        if "@" in message.body and message.deleted_at is None and not message.forward_of_id:
            known = {key for _, key in people} | {accounts.username_key(author)}
            names = markup.at_names(message.body) - known - accounts.RESERVED_NAMES
            if names:
                wanted[message.id] = names
    if not wanted:
        return {}
    found = user_groups.existing(db, set().union(*wanted.values()))
    return {message_id: frozenset(names & found) for message_id, names in wanted.items() if names & found}


def _with_previews(db: Session, found: list[MessageView]) -> list[MessageView]:
    """The views with their links' cards (one query, none when no message links anywhere: link_previews.py)."""
    cards = link_previews.cards_of(db, {message.id: message.html for message in found})
    return [replace(message, previews=cards[message.id]) if message.id in cards else message for message in found]


def views_by_id(db: Session, message_ids: Iterable[int]) -> dict[int, MessageView]:
    """The views of these messages, by id (views(): a query for the messages and one per kind of what they hold)."""
    query = select(Message, User.username).where(col(Message.id).in_(list(message_ids)))
    return {view.id: view for view in views(db, query)}


def _in_room(room_id: int):
    """The room's own stream (a thread's replies are read with their thread, threads.py)."""
    return select(Message, User.username).where(Message.room_id == room_id, col(Message.thread_id).is_(None))


def newest_messages(db: Session, room_id: int, limit: int = settings.ROOM_WINDOW) -> list[MessageView]:
    """The room's newest `limit` messages, oldest first (an index scan on (room_id, id))."""
    return views(db, _in_room(room_id).order_by(col(Message.id).desc()).limit(limit))[::-1]


def messages_after(db: Session, room_id: int, after_id: int, limit: int = settings.ROOM_WINDOW) -> list[MessageView]:
    """Up to `limit` messages of the room with id > `after_id`, oldest first."""
    return views(db, _in_room(room_id).where(col(Message.id) > after_id).order_by(col(Message.id)).limit(limit))


def messages_after_seq(db: Session, room_id: int, after_seq: int, limit: int) -> list[MessageView]:
    """Up to `limit` messages of the room with seq > `after_seq`, oldest first (the REST API's cursor; an
    index scan on (room_id, seq))."""
    return views(db, _in_room(room_id).where(Message.seq > after_seq).order_by(col(Message.seq)).limit(limit))


def older_messages(db: Session, room_id: int, before_id: int, limit: int = settings.ROOM_WINDOW) -> list[MessageView]:
    """The `limit` messages of the room just before id `before_id`, oldest first (scrolling back)."""
    query = _in_room(room_id).where(col(Message.id) < before_id).order_by(col(Message.id).desc()).limit(limit)
    return views(db, query)[::-1]


def around(db: Session, room_id: int, message_id: int, each: int) -> list[MessageView]:
    """Message `message_id` of the room with up to `each` messages before and after it, oldest first
    (nothing when the room holds no such message)."""
    before = older_messages(db, room_id, message_id + 1, each + 1)
    if not before or before[-1].id != message_id:
        return []
    return before + messages_after(db, room_id, message_id, each)


def messages_between(db: Session, room_id: int, after_id: int, before_id: int, limit: int) -> list[MessageView]:
    """Up to `limit` messages of the room with `after_id` < id < `before_id`, the ones right after
    `after_id` first, oldest first (filling a gap in a window)."""
    query = _in_room(room_id).where(col(Message.id) > after_id, col(Message.id) < before_id)
    return views(db, query.order_by(col(Message.id)).limit(limit))


def message_view(db: Session, message_id: int) -> MessageView:
    """The view of one message (with its mentions and reactions)."""
    [found] = views(db, select(Message, User.username).where(Message.id == message_id))
    db.rollback()
    return found
