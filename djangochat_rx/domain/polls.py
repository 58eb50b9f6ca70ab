"""Polls: a message that asks a question with 2-10 answers (`/poll "Lunch?" "Pizza" "Sushi"`, or the composer's
poll form). Everyone who may read the room votes once and may change or take back their vote until the poll's
author closes it; the results are live (the poll is part of its message's view, so a vote is a changed message).
An anonymous poll shows counts only; a visible one, who chose what.

The message's text is the poll written out ("📊 Lunch?" and its answers as a list), so search, exports,
notifications and clients that know nothing of polls read it as what it is."""

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access
from djangochat_rx.domain.messages import InvalidMessage, MessageNotFound, NotAllowed
from djangochat_rx.domain.poll_views import MARK
from djangochat_rx.domain.text import without_hidden
from djangochat_rx.models import Message, Poll, PollOption, PollVote, Room, utcnow

QUESTION_MAX_CHARS = 300
OPTION_MAX_CHARS = 100
MIN_OPTIONS = 2


@dataclass(frozen=True)
class Asked:
    """A poll as its author asked it, checked: what the message says and what the poll rows hold."""

    question: str
    options: tuple[str, ...]
    anonymous: bool

    @property
    def text(self) -> str:
        """The poll written out as the message's Markdown."""
        answers = "\n".join(f"- {option}" for option in self.options)
        return f"{MARK} **{_escaped(self.question)}**\n\n{answers}"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def ask(question: str, options: list[str] | tuple[str, ...], anonymous: bool = False) -> Asked:
    """The poll asked, checked: a question of 1-300 characters, 2-POLL_MAX_OPTIONS distinct answers of 1-100
    characters each (blank ones dropped); InvalidMessage saying what is wrong otherwise."""
    question = " ".join(without_hidden(question).split())
    answers = [" ".join(without_hidden(option).split()) for option in options]
    answers = [answer for answer in answers if answer]
    if not question:
        raise InvalidMessage("A poll needs a question.")
    if len(question) > QUESTION_MAX_CHARS:
        raise InvalidMessage(f"A poll's question may be at most {QUESTION_MAX_CHARS} characters.")
    if not MIN_OPTIONS <= len(answers) <= settings.POLL_MAX_OPTIONS:
        raise InvalidMessage(f"A poll needs {MIN_OPTIONS} to {settings.POLL_MAX_OPTIONS} answers.")
    if any(len(answer) > OPTION_MAX_CHARS for answer in answers):
        raise InvalidMessage(f"A poll's answers may be at most {OPTION_MAX_CHARS} characters each.")
    if len({answer.casefold() for answer in answers}) < len(answers):
        raise InvalidMessage("A poll's answers must differ from each other.")
    return Asked(question, tuple(answers), anonymous)


def attach(db: Session, message_id: int, asked: Asked) -> None:
    """Make the poll of a message its author has just posted (after the message's own commit)."""
    database.begin_write(db)
    db.add(Poll(message_id=message_id, question=asked.question, anonymous=asked.anonymous))
    db.flush()
    db.add_all(PollOption(poll_id=message_id, position=n, text=text) for n, text in enumerate(asked.options))
    db.commit()


def _open_poll(db: Session, user_id: int, message_id: int, room_id: int | None) -> tuple[Poll, Message]:
    """The poll of a message the user may read (in `room_id`, when given), locked; MessageNotFound (as for no such
    message) or NotAllowed otherwise, the transaction ended."""
    found = db.exec(
        select(Poll, Message, Room.archived_at)
        .join(Message, col(Message.id) == Poll.message_id)
        .join(Room, col(Room.id) == Message.room_id)
        .where(Poll.message_id == message_id)
        .with_for_update(of=Poll)
    ).first()
    error = None
    if (
        found is None
        or room_id not in (None, found[1].room_id)
        or not access.can_read_id(db, user_id, found[1].room_id)
    ):
        error = MessageNotFound()
    elif found[1].deleted_at is not None:
        error = NotAllowed("This message was deleted.")
    elif found[2] is not None:
        error = NotAllowed("This room is archived; nobody can change its messages.")
    elif found[0].closed_at is not None:
        error = NotAllowed("This poll is closed.")
    if error is not None:
        db.rollback()
        raise error
    return found[0], found[1]


def vote(db: Session, user_id: int, message_id: int, position: int, room_id: int | None = None) -> int | None:
    """Vote for answer `position` (0, 1, ...) of the poll, or take the vote back when it is the answer already
    chosen: the user's answer now (None: no vote)."""
    database.begin_write(db)
    _open_poll(db, user_id, message_id, room_id)
    offered = db.get(PollOption, (message_id, position)) if isinstance(position, int) else None
    if offered is None:
        db.rollback()
        raise InvalidMessage("This poll has no such answer.")
    chosen = db.get(PollVote, (message_id, user_id))
    if chosen is not None and chosen.position == position:
        db.execute(delete(PollVote).where(col(PollVote.poll_id) == message_id, col(PollVote.user_id) == user_id))
        db.commit()
        return None
    insert = postgres_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {"poll_id": message_id, "user_id": user_id, "position": position, "voted_at": utcnow()}
    db.execute(
        insert(PollVote)
        .values(row)
        .on_conflict_do_update(index_elements=["poll_id", "user_id"], set_={"position": position, "voted_at": utcnow()})
    )
    db.commit()
    return position


def close(db: Session, user_id: int, message_id: int, room_id: int | None = None) -> None:
    """The poll's author closes it: its results stay, nobody votes any more."""
    database.begin_write(db)
    poll, message = _open_poll(db, user_id, message_id, room_id)
    if message.author_id != user_id:
        db.rollback()
        raise NotAllowed("Only the poll's author can close it.")
    poll.closed_at = utcnow()
    db.add(poll)
    db.commit()


def choices(db: Session, user_id: int, room_id: int) -> list[str]:
    """The user's answers in the room's polls, as "<message id>:<position>" (what their page marks as chosen)."""
    found = [
        f"{poll_id}:{position}"
        for poll_id, position in db.exec(
            select(PollVote.poll_id, PollVote.position)
            .join(Message, col(Message.id) == PollVote.poll_id)
            .where(PollVote.user_id == user_id, Message.room_id == room_id)
        )
    ]
    db.rollback()
    return found
