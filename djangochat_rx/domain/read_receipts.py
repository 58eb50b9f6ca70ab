"""Read receipts, opt-in: under the newest of your messages that someone has read, "Seen by ann, bob", from the read
markers reads.py keeps already (nothing more is stored per message or per read).

Two switches: the instance's (SiteSetting SWITCH_KEY, an administrator's; absent: on, so people may choose) and each
person's own (User.share_read_receipts, off until they turn it on on their account page). Someone's reading is shown
to others only when both are on; seeing others' receipts needs no switch of one's own (Zulip's rule: turning yours
off hides your reading, not theirs). Only in direct conversations and rooms of at most
settings.READ_RECEIPTS_MAX_MEMBERS people (`access.takes_part`); only readers who may read the room now
(`access.readable`: one who left a private room or conversation drops out of every line).
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, union
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx import settings
from djangochat_rx.domain import access, site_settings
from djangochat_rx.domain import admin as administration
from djangochat_rx.domain.audit import audit
from djangochat_rx.models import Message, RoomMember, RoomRead, SiteSetting, User

SWITCH_KEY = "read_receipts"


@dataclass(frozen=True)
class SeenLine:
    """What one author's page of a room shows: "Seen by" `by` (usernames, by name) under their message `seq`
    (0 and nobody: no line)."""

    seq: int = 0
    by: tuple[str, ...] = ()


NO_LINE = SeenLine()


def _instance_on() -> ColumnElement[bool]:
    """The instance's switch, as a condition: on unless an administrator turned it off."""
    return ~exists().where(SiteSetting.key == SWITCH_KEY, SiteSetting.value == "off")


def instance_on(db: Session) -> bool:
    """Whether read receipts may be shown here at all (the administrator's switch)."""
    on = db.exec(select(_instance_on())).one()
    db.rollback()
    return bool(on)


def set_instance(db: Session, actor_id: int, on: bool) -> bool:
    """An administrator allows read receipts (each person still chooses) or turns them off for everyone. Audited."""
    database.begin_write(db)
    administration.require_admin(db, actor_id)
    chosen = "on" if on else "off"
    before = site_settings.store(db, actor_id, SWITCH_KEY, chosen, absent="on")
    if before != chosen:
        audit(db, actor_id, "read_receipts.set", "site", f"{before} → {chosen}")
    db.commit()
    return on


def sharing(db: Session, user_id: int) -> bool:
    """Whether the person lets others see how far they have read."""
    shared = db.exec(select(User.share_read_receipts).where(User.id == user_id)).first()
    db.rollback()
    return bool(shared)


def set_sharing(db: Session, user_id: int, share: bool) -> bool:
    """The person lets others see how far they have read their messages, or stops."""
    database.begin_write(db)
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        db.rollback()
        return False
    user.share_read_receipts = share
    db.commit()
    return share


def shared_marker(db: Session, reader_id: int, room_id: int) -> int | None:
    """How far `reader_id` had read the room, when their reading is shown to others (both switches on); None when
    it is not (one small query, before their marker moves)."""
    marker = (
        select(RoomRead.last_read_seq)
        .where(RoomRead.user_id == reader_id, RoomRead.room_id == room_id)
        .scalar_subquery()
    )
    found = db.exec(
        select(func.coalesce(marker, 0)).where(User.id == reader_id, col(User.share_read_receipts), _instance_on())
    ).first()
    db.rollback()
    return found


def line_for(db: Session, author_id: int, room_id: int) -> SeenLine:
    """The line `author_id`'s page of the room shows (the room page's one read of receipts, at open)."""
    lines = _lines(db, room_id, col(Message.author_id) == author_id)
    db.rollback()
    return next(iter(lines.values()), NO_LINE)


def lines_after_read(db: Session, reader_id: int, room_id: int, before: int, after: int) -> dict[str, SeenLine]:
    """`reader_id` read the room from past `before` up to `after`: the new line of each author (by username) whose
    messages they read now, other than the reader, who may read the room (whose pages must hear of it)."""
    read_now = (
        select(Message.author_id)
        .where(
            Message.room_id == room_id,
            col(Message.thread_id).is_(None),
            col(Message.seq) > before,
            col(Message.seq) <= after,
            Message.author_id != reader_id,
        )
        .distinct()
    )
    lines = _lines(db, room_id, and_(col(Message.author_id).in_(read_now), access.readable(Message.author_id, room_id)))
    db.rollback()
    return lines


def _people(room_id: int):
    """How many people are in the room (`access.takes_part`), counted up to one past the limit (a large public room
    is never counted whole): its members and those who opened it are the only ones who may be."""
    candidates = union(
        select(RoomMember.user_id).where(RoomMember.room_id == room_id),
        select(RoomRead.user_id).where(RoomRead.room_id == room_id),
    )
    present = (
        select(User.id)
        .where(col(User.id).in_(candidates), access.takes_part(User.id, room_id))
        .limit(settings.READ_RECEIPTS_MAX_MEMBERS + 1)
    )
    return select(func.count()).select_from(present.subquery()).scalar_subquery()


def _lines(db: Session, room_id: int, authors: ColumnElement[bool]) -> dict[str, SeenLine]:
    """The lines of the room's authors that `authors` picks (a condition on Message), by username: two queries
    however many people or messages (the readers who share, then each author's newest message read by one of them)."""
    readers = db.exec(
        select(User.id, User.username, RoomRead.last_read_seq)
        .join(RoomRead, RoomRead.user_id == User.id)
        .where(
            RoomRead.room_id == room_id,
            col(RoomRead.last_read_seq) > 0,
            col(User.share_read_receipts),
            col(User.is_active),
            access.readable(User.id, room_id),
            _instance_on(),
            _people(room_id) <= settings.READ_RECEIPTS_MAX_MEMBERS,
        )
        .order_by(col(RoomRead.last_read_seq).desc(), col(User.id))
    ).all()
    if not readers:
        return {}
    # How far the readers besides an author have read: the furthest one's marker, or the next one's for them.
    top_id, top_seq = readers[0][0], readers[0][2]
    second_seq = readers[1][2] if len(readers) > 1 else 0
    newest_read = db.exec(
        select(User.id, User.username, func.max(Message.seq))
        .join(User, User.id == Message.author_id)
        .where(
            Message.room_id == room_id,
            col(Message.thread_id).is_(None),
            authors,
            or_(
                and_(Message.author_id != top_id, col(Message.seq) <= top_seq),
                and_(Message.author_id == top_id, col(Message.seq) <= second_seq),
            ),
        )
        .group_by(User.id, User.username)
    ).all()
    lines = {}
    for author_id, author, seq in newest_read:
        seen_by = [name for who, name, read in readers if who != author_id and read >= seq]
        lines[author] = SeenLine(seq, tuple(sorted(seen_by, key=str.casefold)))
    return lines
