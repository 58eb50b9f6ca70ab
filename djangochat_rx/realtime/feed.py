"""A room's live feed: the snapshot a tab gets when it opens the room, then each change as it happens.

A new, edited or deleted message goes to the room's sockets as that one message (the `incoming` var);
the browser merges it into the list it holds (assets/room_feed.js). The window of newest messages is kept
here only to answer the next tab that opens the room without a query.

New messages go out in the room's sequence order on every worker: one that arrives before a message with
a lower seq (two sends committed a millisecond apart, their events racing) waits until the gap is filled
or FEED_REORDER_SECONDS have passed (then the browser fills the gap from the database by seq).

A message's new reactions or reply count (`changed_soon`) wait up to FEED_CHANGE_SECONDS for the room's
next message and go in its frame: in a busy room they cost its sockets no frame of their own.
"""

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

from djangochat_rx import db, settings
from djangochat_rx.domain import attachments, messages
from djangochat_rx.domain.messages import MessageView
from djangochat_rx.realtime.sockets import ROOM, sockets


@dataclass
class _Room:
    window: list[MessageView]
    last_seq: int
    held: dict[int, MessageView] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None
    # Changed messages waiting to ride with the next message (by id), and the timer that sends them alone.
    changes: dict[int, MessageView] = field(default_factory=dict)
    changes_timer: asyncio.TimerHandle | None = None


class RoomFeed:
    """The newest messages of each room watched on this worker, and the one way messages reach its tabs."""

    def __init__(self, window_size: int = settings.ROOM_WINDOW) -> None:
        self._window_size = window_size
        self._rooms: dict[int, _Room] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def open(self, sid: str, room_id: int) -> None:
        """Socket `sid` watches `room_id`: send it the newest messages, then every change after them."""
        async with self._locks[room_id]:
            # Entered under the room lock: nothing is delivered between the snapshot and the socket joining.
            await sockets.enter(sid, f"{ROOM}{room_id}")
            room = self._rooms.get(room_id)
            if room is None:
                window = await db.run(messages.newest_messages, room_id, self._window_size)
                room = self._rooms[room_id] = _Room(window, window[-1].seq if window else 0)
            await sockets.emit({"feed_room": room_id, "snapshot": room.window}, to=sid)

    def window_start(self, room_id: int) -> int | None:
        """The id of the oldest message in the room's kept window (None: none kept, or no messages)."""
        room = self._rooms.get(room_id)
        return room.window[0].id if room and room.window else None

    async def posted(self, message: MessageView) -> None:
        """A committed new message: deliver it, and any held after it, in seq order."""
        async with self._locks[message.room_id]:
            room = self._watched(message.room_id)
            if room is None or message.seq <= room.last_seq:
                return
            room.held[message.seq] = message
            ready = self._take_ready(room)
            if room.held and room.timer is None:
                loop = asyncio.get_running_loop()
                room.timer = loop.call_later(settings.FEED_REORDER_SECONDS, self._give_up_waiting, message.room_id)
            if ready:
                await self._send(message.room_id, room, ready)

    async def changed(self, message: MessageView) -> None:
        """A committed edit or deletion: the room's tabs replace their copy of the message."""
        async with self._locks[message.room_id]:
            room = self._watched(message.room_id)
            if room is None:
                return
            before = next((kept for kept in room.window if kept.id == message.id), None)
            room.window = [message if kept.id == message.id else kept for kept in room.window]
            room.changes.pop(message.id, None)  # this version is newer than one waiting
            fields: dict = {"incoming": [message]}
            # A deleted message's files leave the room's Files panels, in the same frame (older than the
            # window, whether it had any is not known here: the panels drop nothing they do not hold).
            if message.deleted and (before is None or before.files):
                fields["files_removed"] = [message.id]
            await sockets.emit(fields, to=f"{ROOM}{message.room_id}")

    async def changed_soon(self, message: MessageView) -> None:
        """A committed change that may wait a moment (new reactions, a new reply count): it goes with the room's
        next message, or alone after FEED_CHANGE_SECONDS."""
        async with self._locks[message.room_id]:
            room = self._watched(message.room_id)
            if room is None:
                return
            room.window = [message if kept.id == message.id else kept for kept in room.window]
            room.changes[message.id] = message
            if room.changes_timer is None:
                loop = asyncio.get_running_loop()
                room.changes_timer = loop.call_later(settings.FEED_CHANGE_SECONDS, self._spawn_changes, message.room_id)

    def forget(self, room_id: int) -> None:
        """The room is gone: drop what is kept of it."""
        room = self._rooms.pop(room_id, None)
        for timer in (room.timer, room.changes_timer) if room is not None else ():
            if timer is not None:
                timer.cancel()

    def _watched(self, room_id: int) -> _Room | None:
        """The kept room, if any socket on this worker still watches it (else it is dropped)."""
        if not sockets.has_members(f"{ROOM}{room_id}"):
            self.forget(room_id)
            return None
        return self._rooms.get(room_id)

    def _take_ready(self, room: _Room, force: bool = False) -> list[MessageView]:
        """The held messages that can go now: the run right after `last_seq` (all of them when `force`)."""
        ready = []
        for seq in sorted(room.held):
            if seq != room.last_seq + 1 and not force:
                break
            ready.append(room.held.pop(seq))
            room.last_seq = seq
        if not room.held and room.timer is not None:
            room.timer.cancel()
            room.timer = None
        return ready

    async def _send(self, room_id: int, room: _Room, ready: list[MessageView]) -> None:
        room.window = (room.window + ready)[-self._window_size :]
        fields: dict = {"incoming": self._take_changes(room) + ready}
        # The files they carry join the room's Files panels (components/files.py) in the same frame: an image
        # costs the room's sockets no second frame.
        posted = [line for message in reversed(ready) for line in attachments.posted(message)]  # newest first
        if posted:
            fields["files_posted"] = posted
        await sockets.emit(fields, to=f"{ROOM}{room_id}")

    def _take_changes(self, room: _Room) -> list[MessageView]:
        """The waiting changes, oldest message first (they go before the new messages of the same frame)."""
        changes = [room.changes[message_id] for message_id in sorted(room.changes)]
        room.changes.clear()
        if room.changes_timer is not None:
            room.changes_timer.cancel()
            room.changes_timer = None
        return changes

    def _spawn_changes(self, room_id: int) -> None:
        room = self._rooms.get(room_id)
        if room is not None:
            room.changes_timer = None
            sockets.spawn(self._flush_changes(room_id))

    async def _flush_changes(self, room_id: int) -> None:
        async with self._locks[room_id]:
            room = self._rooms.get(room_id)
            if room is not None and room.changes:
                await sockets.emit({"incoming": self._take_changes(room)}, to=f"{ROOM}{room_id}")

    def _give_up_waiting(self, room_id: int) -> None:
        room = self._rooms.get(room_id)
        if room is not None:
            room.timer = None
            sockets.spawn(self._flush_held(room_id))

    async def _flush_held(self, room_id: int) -> None:
        async with self._locks[room_id]:
            room = self._rooms.get(room_id)
            if room is not None and room.held:
                await self._send(room_id, room, self._take_ready(room, force=True))
