"""The rooms lists, live: every public room (the lobby, one list all viewers share) and per user their
private rooms and direct conversations ("own"), with each room's latest message and who is online; per
user how far they have read (read marks), where they are mentioned, and a notice for a browser notification.

Rows change in place from the events (a message, a room change); the lists go out at most every
LOBBY_FLUSH_SECONDS, one frame per list. The database is read only when a rooms page opens.
"""

import asyncio
import dataclasses
from typing import Any

from djangochat_rx import accounts, db, reads, settings
from djangochat_rx.access import PUBLIC
from djangochat_rx.events import MessageChanged, MessageSent, ReadMoved, RoomChanged
from djangochat_rx.reads import RoomSummary
from djangochat_rx.realtime.presence import Presence
from djangochat_rx.realtime.sockets import LOBBY, OWN, USER, sockets


def user_group(username: str) -> str:
    return f"{USER}{accounts.username_key(username)}"


class RoomsLists:
    """The lobby and the own lists of the users with a rooms page open on this worker."""

    def __init__(self, presence: Presence) -> None:
        self._presence = presence
        presence.listeners.append(self._presence_changed)
        self._lobby: dict[int, RoomSummary] | None = None
        self._own: dict[str, dict[int, RoomSummary]] = {}
        self._own_dirty: set[str] = set()
        self._lobby_dirty = False
        self._read_marks: dict[str, dict[str, int]] = {}
        self._flush: asyncio.TimerHandle | None = None

    async def watch(self, sid: str, username: str, own: list[RoomSummary]) -> None:
        """Socket `sid` shows the rooms list: send it the lobby and `own` (the user's private rooms and DMs,
        just read), kept live from here on."""
        key = accounts.username_key(username)
        await sockets.enter(sid, LOBBY)
        await sockets.enter(sid, f"{OWN}{key}")
        self._own[key] = {row.id: row for row in own}
        if self._lobby is None:
            summaries = await db.run(reads.room_summaries, None)
            if self._lobby is None:
                self._lobby = {row.id: row for row in summaries}
        await sockets.emit({**self._lobby_fields(), "own_rooms": self._listed(self._own[key])}, to=sid)

    def unwatched(self) -> None:
        """Some socket stopped showing a rooms list: forget the lists nobody here shows any more."""
        for key in [key for key in self._own if not sockets.has_members(f"{OWN}{key}")]:
            del self._own[key]
            self._own_dirty.discard(key)
        for group in [group for group in self._read_marks if not sockets.has_members(group)]:
            del self._read_marks[group]
        if not sockets.has_members(LOBBY):
            self._lobby = None

    # --- events ----------------------------------------------------------------------------------

    async def message_sent(self, event: MessageSent) -> None:
        self._show_message(event.message.room_id, event.message.seq, event.message.created_at, event)
        await self.read_moved(event.message.author, event.slug, event.message.seq)
        if event.mentioned:
            notice = {
                "id": event.message.id,
                "room": event.room_name,
                "slug": event.slug,
                "author": event.message.author,
                "text": event.preview,
            }
            for key, slugs in event.mentioned.items():
                fields = (
                    {"mentioned": list(slugs)} if key in event.quiet else {"mentioned": list(slugs), "notice": notice}
                )
                await sockets.emit(fields, to=f"{USER}{key}")

    def message_changed(self, event: MessageChanged) -> None:
        self._show_message(event.message.room_id, event.message.seq, None, event)

    async def read_moved(self, username: str, slug: str, seq: int, mentioned: tuple[str, ...] | None = None) -> None:
        """Tell `username`'s rooms lists on this worker how far they have read `slug` (and where they are
        mentioned); kept only while the user has sockets here."""
        group = user_group(username)
        if not sockets.has_members(group):
            self._read_marks.pop(group, None)
            return
        marks = self._read_marks.setdefault(group, {})
        marks[slug] = max(seq, marks.get(slug, 0))
        fields: dict[str, Any] = {"read_marks": dict(marks)}
        if mentioned is not None:
            fields["mentioned"] = list(mentioned)
        await sockets.emit(fields, to=group)

    async def read(self, event: ReadMoved) -> None:
        await self.read_moved(event.username, event.slug, event.seq, event.mentioned)

    def room_changed(self, event: RoomChanged) -> None:
        room_id, summary = event.room_id, event.summary
        if self._lobby is not None:
            if summary is not None and summary.kind == PUBLIC:
                self._lobby[room_id] = summary
                self._lobby_dirty = True
            elif self._lobby.pop(room_id, None) is not None:
                self._lobby_dirty = True
        for key, rows in self._own.items():
            keeps = summary is not None and summary.kind != PUBLIC and key in event.people
            if keeps:
                rows[room_id] = summary
                self._own_dirty.add(key)
            elif (key in event.expelled or event.gone) and rows.pop(room_id, None) is not None:
                self._own_dirty.add(key)
        self._schedule()

    # --- rows ------------------------------------------------------------------------------------

    def _show_message(self, room_id: int, seq: int, created_at: str | None, event) -> None:
        """A message changes its room's row (an edit of an older message does not)."""
        lists = [(None, self._lobby)] if self._lobby is not None else []
        lists += list(self._own.items())
        for key, rows in lists:
            row = rows.get(room_id)
            if row is None or seq < row.message_count:
                continue
            rows[room_id] = dataclasses.replace(
                row,
                message_count=seq,
                last_message_at=created_at or row.last_message_at,
                active_at=created_at or row.active_at,
                last_author=event.message.author,
                last_preview=event.preview,
            )
            if key is None:
                self._lobby_dirty = True
            else:
                self._own_dirty.add(key)
        self._schedule()

    def _presence_changed(self, room_id: int) -> None:
        if self._lobby is not None and room_id in self._lobby:
            self._lobby_dirty = True
        self._own_dirty |= {key for key, rows in self._own.items() if room_id in rows}
        self._schedule()

    def _lobby_fields(self) -> dict[str, Any]:
        """The lobby's first page and how many public rooms there are."""
        return {"lobby": self._listed(self._lobby), "lobby_total": len(self._lobby)}

    def _listed(self, rows: dict[int, RoomSummary]) -> list[RoomSummary]:
        """The first page of the rows (settings.ROOMS_LIST_PAGE), most recently active first (then by name),
        with who is online now: a frame's size is bounded however many rooms there are."""
        listed = sorted(rows.values(), key=lambda row: row.name.casefold())
        listed.sort(key=lambda row: row.active_at, reverse=True)
        page = listed[: settings.ROOMS_LIST_PAGE]
        return [dataclasses.replace(row, online=self._presence.online(row.id)) for row in page]

    def _schedule(self) -> None:
        if self._flush is None and (self._own_dirty or self._lobby_dirty):
            loop = asyncio.get_running_loop()
            self._flush = loop.call_later(settings.LOBBY_FLUSH_SECONDS, self._spawn_flush)

    def _spawn_flush(self) -> None:
        self._flush = None
        sockets.spawn(self._send())

    async def _send(self) -> None:
        # Taken before the first await: a change while a list is being sent marks it again, for the next flush.
        lobby_dirty, self._lobby_dirty = self._lobby_dirty, False
        dirty, self._own_dirty = self._own_dirty, set()
        if lobby_dirty and self._lobby is not None and sockets.has_members(LOBBY):
            await sockets.emit(self._lobby_fields(), to=LOBBY)
        for key in sorted(dirty):
            if key in self._own:
                await sockets.emit({"own_rooms": self._listed(self._own[key])}, to=f"{OWN}{key}")
