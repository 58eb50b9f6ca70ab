"""Emoji reactions to messages: who may react, the limits, and each message's reactions as readers see them.

Anyone who may read a room reacts to its messages (not to deleted ones, not in an archived room); the
same emoji again takes one's reaction back. A message holds at most REACTIONS_PER_MESSAGE distinct
emoji. An emoji is one emoji as Unicode defines them (the `emoji` package's data, skin tones and
sequences included), never text, or a custom emoji's `:name:` (custom_emoji.py) while it exists; one's
reaction with a removed one can still be taken back, and it shows as `:name:`.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import emoji as emoji_data
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, custom_emoji
from djangochat_rx.models import Message, Reaction, Room, User

# Offered first in the picker before someone has reacted to anything.
DEFAULT_FAVOURITES = ("👍", "❤️", "😂", "🎉", "👀", "🙏")
# Names shown when hovering a reaction (the count says how many in all).
NAMES_SHOWN = 10


class ReactionError(Exception):
    """A reaction that cannot be made; the message is safe to show."""


class NotAnEmoji(ReactionError):
    def __init__(self) -> None:
        super().__init__("React with one emoji.")


@dataclass(frozen=True)
class ReactionView:
    """One emoji's reactions to a message: how many, and the first NAMES_SHOWN who reacted, in order."""

    emoji: str
    count: int
    users: tuple[str, ...]


def check_emoji(text: str) -> str:
    """`text` when it is a single emoji or a custom emoji's `:name:` (whether it exists is the caller's to
    check), else NotAnEmoji."""
    text = text.strip() if isinstance(text, str) else ""
    if custom_emoji.shortcode_name(text) is not None:
        return text
    if not text or len(text) > 16 or not emoji_data.purely_emoji(text) or emoji_data.emoji_count(text) != 1:
        raise NotAnEmoji()
    return text


def summaries(db: Session, message_ids: Iterable[int]) -> dict[int, tuple[ReactionView, ...]]:
    """The reactions of these messages, by message id, each emoji in the order it was first used (one query)."""
    ids = list(message_ids)
    if not ids:
        return {}
    rows = db.exec(
        select(Reaction.message_id, Reaction.emoji, User.username)
        .join(User, col(User.id) == Reaction.user_id)
        .where(col(Reaction.message_id).in_(ids))
        .order_by(col(Reaction.message_id), col(Reaction.created_at), col(User.username_key))
    ).all()
    grouped: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for message_id, emoji, username in rows:
        grouped[message_id].setdefault(emoji, []).append(username)
    return {
        message_id: tuple(ReactionView(e, len(names), tuple(names[:NAMES_SHOWN])) for e, names in by_emoji.items())
        for message_id, by_emoji in grouped.items()
    }


@dataclass(frozen=True)
class Toggled:
    """What a reaction changed: the message's room and its reactions now."""

    room_id: int
    message_id: int
    added: bool
    reactions: tuple[ReactionView, ...]


def toggle(
    db: Session, user_id: int, message_id: int, emoji: str, room_id: int | None = None, want: bool | None = None
) -> Toggled:
    """React to a message with `emoji`, or take that reaction back (or, with `want`, make sure the reaction
    is there or not: the REST API's PUT and DELETE). A message the user may not read, and one outside
    `room_id` when given (the tab's room), is "not found", like one that does not exist."""
    from djangochat_rx.domain.messages import MessageNotFound  # messages.py builds on this module

    emoji = check_emoji(emoji)
    database.begin_write(db)
    row = db.exec(
        select(Message.room_id, Message.deleted_at, Room.archived_at)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Message.id == message_id)
    ).first()
    if row is None or room_id not in (None, row[0]) or not access.can_read_id(db, user_id, row[0]):
        db.rollback()
        raise MessageNotFound()
    message_room, deleted_at, archived_at = row
    if deleted_at is not None:
        db.rollback()
        raise ReactionError("This message was deleted.")
    if archived_at is not None:
        db.rollback()
        raise ReactionError("This room is archived; nobody can react in it.")
    mine = (Reaction.message_id == message_id, Reaction.user_id == user_id, Reaction.emoji == emoji)
    removed = want is not True and db.execute(delete(Reaction).where(*mine)).rowcount > 0
    if not removed and want is not False and db.exec(select(Reaction.emoji).where(*mine)).first() is None:
        distinct = db.exec(
            select(func.count(func.distinct(Reaction.emoji))).where(
                Reaction.message_id == message_id, Reaction.emoji != emoji
            )
        ).one()
        used = db.exec(select(Reaction.emoji).where(Reaction.message_id == message_id, Reaction.emoji == emoji)).first()
        if used is None and distinct >= settings.REACTIONS_PER_MESSAGE:
            db.rollback()
            raise ReactionError(f"A message takes at most {settings.REACTIONS_PER_MESSAGE} different reactions.")
        custom = custom_emoji.shortcode_name(emoji)
        if custom is not None and not custom_emoji.existing(db, {custom}):
            db.rollback()
            raise NotAnEmoji()
        db.add(Reaction(message_id=message_id, user_id=user_id, emoji=emoji))
    try:
        db.commit()
    except IntegrityError:  # the same reaction twice at once: the first one stands
        db.rollback()
    reactions = summaries(db, [message_id]).get(message_id, ())
    db.rollback()
    return Toggled(message_room, message_id, want if want is not None else not removed, reactions)


def warm_up(db: Session) -> None:
    """Build the emoji data's index and compile a reaction's statements once, at start (messages.warm_up):
    the first reactions after a start held the write lock ~100 ms, and every send waited behind them. Nothing
    is written: no message 0 exists, and the transaction is rolled back."""
    check_emoji("👍")
    database.begin_write(db)
    mine = (Reaction.message_id == 0, Reaction.user_id == 0, Reaction.emoji == "👍")
    db.execute(delete(Reaction).where(*mine))
    db.exec(select(Reaction.emoji).where(*mine)).first()
    db.exec(select(func.count(func.distinct(Reaction.emoji))).where(Reaction.message_id == 0)).one()
    db.add(Reaction(message_id=0, user_id=0, emoji="👍"))
    with contextlib.suppress(IntegrityError):  # no message 0: the insert is compiled all the same
        db.flush()
    db.rollback()
    summaries(db, [0])
    db.rollback()


def favourites(db: Session, user_id: int, n: int = 6) -> list[str]:
    """The user's `n` most used emoji (lately), filled up with DEFAULT_FAVOURITES."""
    recent = (
        select(Reaction.emoji)
        .where(Reaction.user_id == user_id)
        .order_by(col(Reaction.created_at).desc())
        .limit(200)
        .subquery()
    )
    used = db.exec(
        select(recent.c.emoji).group_by(recent.c.emoji).order_by(func.count().desc(), recent.c.emoji).limit(n)
    ).all()
    custom = {name for name in map(custom_emoji.shortcode_name, used) if name}
    gone = custom - custom_emoji.existing(db, custom)
    db.rollback()
    mine = [emoji for emoji in used if custom_emoji.shortcode_name(emoji) not in gone]
    return (mine + [e for e in DEFAULT_FAVOURITES if e not in mine])[:n]
