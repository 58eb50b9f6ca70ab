"""How each person wants to hear of each room: a notification level and mute.

- "all": every new message notifies (Web Push); "mentions" (the default in rooms): only messages that
  mention them; "nothing": no notification. Direct conversations default to "all".
- Muted: the room sorts last in the rooms list with a dot instead of an unread count, and nothing of
  it notifies, whatever the level. Unread counts and mention marks are kept either way.

Browser notices, Web Push and emails about unread messages all ask `quiet` / `wants_all` here (and, through
them, availability.py: do not disturb and working hours).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from djangochat_rx import db as database
from djangochat_rx.domain import access, availability, reads
from djangochat_rx.domain.rooms import RoomNotFound
from djangochat_rx.models import Room, RoomMember, RoomPref, User, utcnow

LEVELS = ("all", "mentions", "nothing")


class InvalidLevel(ValueError):
    def __init__(self) -> None:
        super().__init__("Choose all messages, mentions only or nothing.")


@dataclass(frozen=True)
class Prefs:
    level: str
    muted: bool


def default_level(kind: str) -> str:
    return "all" if kind == access.DM else "mentions"


def prefs(db: Session, user_id: int, room_id: int, kind: str) -> Prefs:
    row = db.get(RoomPref, (user_id, room_id))
    return Prefs(row.level, row.muted) if row is not None else Prefs(default_level(kind), False)


def set_prefs(db: Session, user_id: int, room_id: int, level: str, muted: bool) -> Prefs:
    """Set how the user hears of a room they may read (RoomNotFound for any other, like a room that does
    not exist)."""
    if level not in LEVELS or not isinstance(muted, bool):
        raise InvalidLevel()
    database.begin_write(db)
    kind = db.exec(select(Room.kind).where(Room.id == room_id, access.readable(user_id))).first()
    if kind is None:
        db.rollback()
        raise RoomNotFound()
    row = db.get(RoomPref, (user_id, room_id), with_for_update=True, populate_existing=True)
    if row is None:
        db.add(RoomPref(user_id=user_id, room_id=room_id, level=level, muted=muted))
    else:
        row.level, row.muted, row.updated_at = level, muted, utcnow()
    try:
        db.commit()
    except IntegrityError:  # set twice at once from two tabs: the other one stands
        db.rollback()
    return Prefs(level, muted)


def rooms_and_muted(db: Session, user_id: int) -> tuple[list["reads.RoomSummary"], list[str]]:
    """Every room the user may read as their rooms lists show it (reads.room_summaries), and the slugs of
    those they muted: what the sidebar and Alt+Up/Down order by."""
    return reads.room_summaries(db, user_id), muted_slugs(db, user_id)


def muted_slugs(db: Session, user_id: int) -> list[str]:
    """The rooms the user muted, by slug."""
    return list(
        db.exec(
            select(Room.slug)
            .join(RoomPref, col(RoomPref.room_id) == Room.id)
            .where(RoomPref.user_id == user_id, col(RoomPref.muted))
        )
    )


# A preference row that silences its room: muted, or level "nothing" (a mention notifies at "mentions"
# and "all"). The one definition every notifier asks.
SILENT = col(RoomPref.muted) | (col(RoomPref.level) == "nothing")


def quiet(db: Session, room_id: int, user_ids: Iterable[int], urgent: bool = False) -> set[int]:
    """Those of `user_ids` a message in the room must not notify: they muted it or hear nothing of it, or they
    may not be disturbed now (availability.hold: do not disturb, outside working hours; what waits for them is
    summarised when that ends) — unless the message is `urgent` (a direct message that asked to notify now)."""
    ids = list(user_ids)
    if not ids:
        return set()
    query = select(RoomPref.user_id).where(RoomPref.room_id == room_id, col(RoomPref.user_id).in_(ids), SILENT)
    silent = set(db.exec(query))
    return silent if urgent else silent | availability.hold(db, set(ids) - silent)


def wants_all(db: Session, room_id: int, kind: str) -> set[int]:
    """Who chose to be notified of every message in the room (direct conversations: every member who
    did not say otherwise)."""
    rows = db.exec(select(RoomPref.user_id, RoomPref.level, RoomPref.muted).where(RoomPref.room_id == room_id)).all()
    chosen = {user_id for user_id, level, muted in rows if level == "all" and not muted}
    if kind != access.DM:
        return chosen
    said = {user_id for user_id, *_ in rows}
    members = set(db.exec(select(RoomMember.user_id).where(RoomMember.room_id == room_id)))
    return chosen | (members - said)


def quiet_keys(
    db: Session, room_id: int, username_keys: Iterable[str], in_transaction: bool = False
) -> tuple[str, ...]:
    """Of these users (by username key), those a message in the room must not notify (as `quiet`)."""
    keys = list(username_keys)
    if not keys:
        return ()
    rows = db.exec(
        select(User.username_key)
        .join(RoomPref, (RoomPref.user_id == User.id) & (RoomPref.room_id == room_id))
        .where(col(User.username_key).in_(keys), SILENT)
    ).all()
    held = availability.hold_keys(db, set(keys) - set(rows), in_transaction=in_transaction)
    return tuple(sorted(set(rows) | held))


def loud_rooms(db: Session) -> set[int]:
    """Rooms where someone asked to hear of every message (push.py checks new messages against them)."""
    return set(db.exec(select(RoomPref.room_id).where(RoomPref.level == "all", ~col(RoomPref.muted)).distinct()))
