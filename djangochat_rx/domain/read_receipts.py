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

from sqlalchemy import ColumnElement, distinct, exists, func, or_, union_all
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
    """The line `author_id`'s page of the room shows (the room page's one read of receipts, at open): two small
    queries, the second reading the room's messages backwards from the furthest marker to the author's newest."""
    readers = _readers(db, room_id)
    others = [reader for reader in readers if reader.id != author_id]
    if not others:
        db.rollback()
        return NO_LINE
    newest = db.exec(
        select(Message.seq)
        .where(
            Message.room_id == room_id,
            col(Message.thread_id).is_(None),
            col(Message.seq) <= others[0].seq,
            Message.author_id == author_id,
        )
        .order_by(col(Message.seq).desc())
        .limit(1)
    ).first()
    db.rollback()
    return _line(others, newest) if newest else NO_LINE


def lines_after_read(db: Session, reader_id: int, room_id: int, before: int, after: int) -> dict[str, SeenLine]:
    """`reader_id` read the room from past `before` up to `after`: the new line of each author (by username, other
    than the reader, who may read the room: whose pages must hear of it) whose line names them now. Two queries; the
    second reads only the messages past `before` (what they had not read)."""
    readers = _readers(db, room_id)
    if not readers:
        db.rollback()
        return {}
    # How far the readers besides an author have read: the furthest one's marker, or the next one's for that one.
    top, second = readers[0], readers[1].seq if len(readers) > 1 else 0
    newest = db.exec(
        select(Message.author_id, User.username, func.max(Message.seq))
        .join(User, User.id == Message.author_id)
        .where(
            Message.room_id == room_id,
            col(Message.thread_id).is_(None),
            col(Message.seq) > before,
            col(Message.seq) <= top.seq,
            Message.author_id != reader_id,
            or_(
                Message.author_id != top.id,
                col(Message.seq) <= second,
            ),
            access.readable(Message.author_id, room_id),
        )
        .group_by(Message.author_id, User.username)
    ).all()
    db.rollback()
    # An author whose newest message read by someone is past `after` has a line this read does not change.
    return {
        author: _line([reader for reader in readers if reader.id != author_id], seq)
        for author_id, author, seq in newest
        if seq <= after
    }


@dataclass(frozen=True)
class _Reader:
    id: int
    username: str
    seq: int


def _line(others: list[_Reader], seq: int) -> SeenLine:
    """The line under message `seq`: those of `others` who have read it, by name."""
    return SeenLine(seq, tuple(sorted((reader.username for reader in others if reader.seq >= seq), key=str.casefold)))


def _people(room_id: int):
    """How many people are in the room (`access.takes_part`: its members and those who opened it, who may read it),
    counted up to one past the limit: each of the two is read only that far (a large public room is never counted
    whole), and past the limit either way it is too large."""
    enough = settings.READ_RECEIPTS_MAX_MEMBERS + 1
    members = (
        select(RoomMember.user_id.label("person"))
        .where(RoomMember.room_id == room_id, access.takes_part(RoomMember.user_id, room_id))
        .limit(enough)
        .subquery()
    )
    openers = (
        select(RoomRead.user_id.label("person"))
        .where(RoomRead.room_id == room_id, access.takes_part(RoomRead.user_id, room_id))
        .limit(enough)
        .subquery()
    )
    both = union_all(select(members.c.person), select(openers.c.person)).subquery()
    return select(func.count(distinct(both.c.person))).scalar_subquery()


def _readers(db: Session, room_id: int) -> list[_Reader]:
    """The room's readers whose reading is shown (both switches on, who may read it, a marker past 0), furthest
    first; none in a room of more than READ_RECEIPTS_MAX_MEMBERS people. One query (the room's markers, by index)."""
    rows = db.exec(
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
    return [_Reader(*row) for row in rows]
