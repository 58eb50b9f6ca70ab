"""The rooms lists, live: every public room (the lobby, one list all viewers but guests share) and per user
their private rooms and direct conversations ("own"; a guest's holds every room they are in, and they have no
lobby), with each room's latest message and who is online; per
user how far they have read (read marks), where they are mentioned, which rooms they muted, and a notice
for a browser notification. Every signed-in page shows them: the rooms page, and the sidebar beside
every other page (components/sidebar.py).

Rows change in place from the events (a message, a room change); the lists go out at most every
LOBBY_FLUSH_SECONDS, one frame per list, and not to a socket whose room is the only one that changed: it
shows that room's messages as they come, and its list catches up with the next change elsewhere. So a
busy room costs its own readers nothing here. The database is read only when a socket starts showing the
lists (its first signed-in page) and when a rooms page opens.
"""

import asyncio
import dataclasses
from typing import Any

from djangochat_rx import db, settings
from djangochat_rx.domain import access, accounts, reads, room_prefs, threads
from djangochat_rx.domain.access import open_to_everyone
from djangochat_rx.domain.events import MessageChanged, MessageSent, MutedChanged, ReadMoved, RoomChanged
from djangochat_rx.domain.reads import RoomSummary
from djangochat_rx.realtime.presence import Presence
from djangochat_rx.realtime.sockets import LOBBY, OWN, USER, sockets


def _lists_of(db, user_id: int) -> tuple[list[RoomSummary], list[str], int, bool]:
    """The user's room summaries and muted slugs (room_prefs.rooms_and_muted), their unread thread replies, and
    whether they are a guest."""
    summaries, muted = room_prefs.rooms_and_muted(db, user_id)
    return summaries, muted, threads.unread_total(db, user_id), access.is_guest(db, user_id)


def user_group(username: str) -> str:
    return f"{USER}{accounts.username_key(username)}"


class RoomsLists:
    """The lobby and the own lists of the users with a rooms page open on this worker."""

    def __init__(self, presence: Presence) -> None:
        self._presence = presence
        presence.listeners.append(self._presence_changed)
        self._lobby: dict[int, RoomSummary] | None = None
        self._own: dict[str, dict[int, RoomSummary]] = {}
        # The own lists that are guests': they hold the public rooms they are in, and see no lobby.
        self._guests: set[str] = set()
        # What changed since the last flush: room ids per list (None: the lobby), and lists every socket
        # must get again whatever it shows (a room renamed, archived, gone).
        self._dirty: dict[str | None, set[int]] = {}
        self._forced: set[str | None] = set()
        self._read_marks: dict[str, dict[str, int]] = {}
        self._flush: asyncio.TimerHandle | None = None

    async def watch(self, sid: str, user_id: int, username: str, fresh: bool) -> None:
        """Socket `sid` shows the rooms lists from now on: send it the lobby, the user's own rooms, how far the
        user has read each room, where they are mentioned and what they muted. Read again from the database
        when `fresh` (a rooms page opening) or when the socket did not show them yet; else nothing to do."""
        key = accounts.username_key(username)
        own_group = f"{OWN}{key}"
        if not fresh and own_group in sockets.groups_of(sid):
            return
        summaries, muted, threads_unread, guest = await db.run(_lists_of, user_id)
        if guest:
            self._guests.add(key)
        else:
            await sockets.enter(sid, LOBBY)
        await sockets.enter(sid, own_group)
        self._own[key] = {row.id: row for row in summaries if guest or not open_to_everyone(row.kind)}
        if self._lobby is None and not guest:
            lobby = await db.run(reads.room_summaries, None)
            if self._lobby is None:
                self._lobby = {row.id: row for row in lobby}
        fields = {
            **({"lobby": [], "lobby_total": 0} if guest else self._lobby_fields()),
            "own_rooms": self._listed(self._own[key]),
            "reads": {row.slug: row.read_seq for row in summaries},
            "read_marks": dict(self._read_marks.get(user_group(username), {})),
            "mentioned": [row.slug for row in summaries if row.mentioned],
            "muted": muted,
            "threads_unread": threads_unread,
        }
        await sockets.emit(fields, to=sid)

    def unwatched(self) -> None:
        """Some socket stopped showing the rooms lists: forget the lists nobody here shows any more."""
        for key in [key for key in self._own if not sockets.has_members(f"{OWN}{key}")]:
            del self._own[key]
            self._guests.discard(key)
            self._dirty.pop(key, None)
            self._forced.discard(key)
        for group in [group for group in self._read_marks if not sockets.has_members(group)]:
            del self._read_marks[group]
        if not sockets.has_members(LOBBY):
            self._lobby = None
            self._dirty.pop(None, None)
            self._forced.discard(None)

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

    async def muted(self, event: MutedChanged) -> None:
        """`username` muted or unmuted a room: every list of theirs here shows which rooms are muted now."""
        group = user_group(event.username)
        if sockets.has_members(group):
            await sockets.emit({"muted": list(event.muted)}, to=group)

    def room_changed(self, event: RoomChanged) -> None:
        """A room's row changed in itself (name, archive, members, gone): every socket showing it is told."""
        room_id, summary = event.room_id, event.summary
        if self._lobby is not None:
            if summary is not None and open_to_everyone(summary.kind):
                self._lobby[room_id] = summary
                self._mark(None, room_id, force=True)
            elif self._lobby.pop(room_id, None) is not None:
                self._mark(None, room_id, force=True)
        for key, rows in self._own.items():
            listed = summary is not None and (key in self._guests or not open_to_everyone(summary.kind))
            keeps = listed and key in event.people
            if keeps:
                rows[room_id] = summary
                self._mark(key, room_id, force=True)
            elif (key in event.expelled or event.gone) and rows.pop(room_id, None) is not None:
                self._mark(key, room_id, force=True)
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
            self._mark(key, room_id)
        self._schedule()

    def _presence_changed(self, room_id: int) -> None:
        if self._lobby is not None and room_id in self._lobby:
            self._mark(None, room_id)
        for key, rows in self._own.items():
            if room_id in rows:
                self._mark(key, room_id)
        self._schedule()

    def _mark(self, key: str | None, room_id: int, force: bool = False) -> None:
        """List `key` (None: the lobby) has a changed row, room `room_id`'s."""
        self._dirty.setdefault(key, set()).add(room_id)
        if force:
            self._forced.add(key)

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
        if self._flush is None and self._dirty:
            loop = asyncio.get_running_loop()
            self._flush = loop.call_later(settings.LOBBY_FLUSH_SECONDS, self._spawn_flush)

    def _spawn_flush(self) -> None:
        self._flush = None
        sockets.spawn(self._send())

    def _readers_of_only(self, group: str, room_ids: set[int]) -> list[str]:
        """The sockets of `group` showing a room that is the only one changed: their page has it live."""
        readers = []
        for sid in sockets.members(group):
            watched = self._presence.watcher(sid)
            if watched is not None and room_ids <= {watched[0]}:
                readers.append(sid)
        return readers

    async def _send(self) -> None:
        # Taken before the first await: a change while a list is being sent marks it again, for the next flush.
        dirty, self._dirty = self._dirty, {}
        forced, self._forced = self._forced, set()
        for key in sorted(dirty, key=lambda key: key or ""):
            group = LOBBY if key is None else f"{OWN}{key}"
            rows = self._lobby if key is None else self._own.get(key)
            if rows is None or not sockets.has_members(group):
                continue
            fields = self._lobby_fields() if key is None else {"own_rooms": self._listed(rows)}
            skip = [] if key in forced else self._readers_of_only(group, dirty[key])
            await sockets.emit(fields, to=group, skip=skip)
