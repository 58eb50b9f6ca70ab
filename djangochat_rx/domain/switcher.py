"""The quick switcher (Ctrl/Cmd+K): type to jump to a room or a person; Alt+Up/Down: the previous/next room.

Plain functions over what the user may see (their rooms in the rooms list's order, the active people), so
the state class only reads them and picks.
"""

from dataclasses import dataclass

from sqlmodel import Session

from djangochat_rx import routes
from djangochat_rx.domain import accounts, room_prefs
from djangochat_rx.domain.access import DM, PRIVATE, PUBLIC

RESULTS = 8


@dataclass(frozen=True)
class Choice:
    """Something to jump to: a room (`slug`) or a person (`username`, opens your conversation with them)."""

    label: str
    detail: str
    slug: str = ""
    username: str = ""
    unread: int = 0


def rooms_of(db: Session, user_id: int) -> list[Choice]:
    """The user's rooms in the sidebar's order: public rooms, then private rooms, then direct conversations,
    each most recently active first with the muted ones last."""
    summaries, muted_slugs = room_prefs.rooms_and_muted(db, user_id)
    muted = set(muted_slugs)
    groups = {PUBLIC: 0, PRIVATE: 1, DM: 2}
    summaries.sort(key=lambda room: (groups[room.kind], room.slug in muted))
    rooms = [
        Choice(room.name, "direct conversation" if room.kind == DM else room.kind + " room", room.slug, "", room.unread)
        for room in summaries
    ]
    db.rollback()
    return rooms


def choices(db: Session, user_id: int, username: str) -> tuple[list[Choice], list[Choice]]:
    """The user's rooms (rooms_of) and the other active people they may see."""
    people = [
        Choice(name, "person", username=name) for name in accounts.active_usernames(db, user_id) if name != username
    ]
    return rooms_of(db, user_id), people


def matching(rooms: list[Choice], people: list[Choice], query: str, limit: int = RESULTS) -> list[Choice]:
    """What `query` finds: names starting with it first, then containing it (case-insensitive); rooms
    before people; with no query, the rooms with unread messages and then the most recent ones."""
    wanted = query.strip().casefold().lstrip("#@")
    if not wanted:
        return sorted(rooms, key=lambda room: room.unread == 0)[:limit]
    found = []
    for group in (rooms, people):
        names = [(choice, (choice.label + " " + (choice.slug or choice.username)).casefold()) for choice in group]
        found += [choice for choice, name in names if name.startswith(wanted)]
        found += [choice for choice, name in names if wanted in name and not name.startswith(wanted)]
    return found[:limit]


def step(rooms: list[Choice], current_path: str, direction: int) -> str | None:
    """The address of the room before (-1) or after (1) the one at `current_path` in the user's list (the
    first room from anywhere else); None when there is nowhere to go."""
    slugs = [room.slug for room in rooms]
    if not slugs:
        return None
    here = current_path.rstrip("/").rsplit("/", 1)[-1] if current_path.startswith("/rooms/") else None
    if here not in slugs:
        return routes.room(slugs[0])
    target = slugs.index(here) + direction
    return routes.room(slugs[target]) if 0 <= target < len(slugs) else None
