"""Who is in each room now and who is typing there: kept in memory, never in the database.

With several workers each keeps its rooms -> names in a Redis hash that expires unless refreshed, so a
dead worker's users vanish; a change is announced on the relay and every worker gathers the hashes again.
Changes within PRESENCE_FLUSH_SECONDS go out as one frame per room, so 200 people opening a room cost
one frame each, not 200.
"""

import asyncio
import json
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable

import redis.asyncio as redis

from djangochat_rx import settings
from djangochat_rx.realtime.sockets import ROOM, sockets

_PRESENCE = "djangochat:presence:"
_WORKERS = "djangochat:presence-workers"

logger = logging.getLogger(__name__)


class Presence:
    """Room presence and typing for this worker's sockets, shared with the others through Redis."""

    def __init__(self) -> None:
        self._worker = uuid.uuid4().hex
        self._redis: redis.Redis | None = None
        self._announce: Callable[[list[int]], object] | None = None
        self._watching: dict[str, tuple[int, str]] = {}
        self._here: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self._present: dict[int, list[str]] = {}
        self._typers: defaultdict[int, dict[str, asyncio.TimerHandle]] = defaultdict(dict)
        self._dirty: set[int] = set()
        self._flush: asyncio.TimerHandle | None = None
        self.listeners: list[Callable[[int], None]] = []

    def share(self, client: redis.Redis | None, announce: Callable[[list[int]], object] | None) -> None:
        """Share presence through `client`, announcing changed rooms with `announce` (None: one worker)."""
        self._redis, self._announce = client, announce

    def online(self, room_id: int) -> int:
        return len(self._present.get(room_id, ()))

    def present(self, room_id: int) -> list[str]:
        """Who is in the room now, on every worker (what `@here` mentions)."""
        return list(self._present.get(room_id, ()))

    def snapshot(self, room_id: int) -> dict[str, list[str]]:
        """What a tab opening the room is told: who is typing and who is here."""
        return {"typing": self._typing_names(room_id), "present": self._present.get(room_id, [])}

    async def arrive(self, sid: str, room_id: int, username: str) -> None:
        self._watching[sid] = (room_id, username)
        self._here[room_id][username] += 1
        self._changed(room_id)

    def depart(self, sid: str) -> None:
        watched = self._watching.pop(sid, None)
        if watched is None:
            return
        room_id, username = watched
        here = self._here[room_id]
        here[username] -= 1
        if here[username] <= 0:
            del here[username]
        if not here:
            del self._here[room_id]
        self._changed(room_id)

    def watcher(self, sid: str) -> tuple[int, str] | None:
        """(room id, username) that socket `sid` watches, if any."""
        return self._watching.get(sid)

    # --- typing -------------------------------------------------------------------------------

    async def typing(self, room_id: int, username: str, active: bool) -> None:
        typers = self._typers[room_id]
        timer = typers.pop(username, None)
        was_typing = timer is not None
        if timer is not None:
            timer.cancel()
        if active:
            loop = asyncio.get_running_loop()
            typers[username] = loop.call_later(settings.TYPING_TTL_SECONDS, self._expire_typing, room_id, username)
        if not typers:
            del self._typers[room_id]
        if was_typing != active:
            await sockets.emit({"typing": self._typing_names(room_id)}, to=f"{ROOM}{room_id}")

    def _expire_typing(self, room_id: int, username: str) -> None:
        sockets.spawn(self.typing(room_id, username, False))

    def _typing_names(self, room_id: int) -> list[str]:
        return sorted(self._typers.get(room_id, ()))

    # --- presence -------------------------------------------------------------------------------

    def _changed(self, room_id: int) -> None:
        self._dirty.add(room_id)
        if self._flush is None:
            loop = asyncio.get_running_loop()
            self._flush = loop.call_later(settings.PRESENCE_FLUSH_SECONDS, self._spawn_flush)

    def _spawn_flush(self) -> None:
        self._flush = None
        rooms, self._dirty = sorted(self._dirty), set()
        sockets.spawn(self._flush_rooms(rooms))

    async def _flush_rooms(self, room_ids: list[int]) -> None:
        if self._redis is None:
            for room_id in room_ids:
                await self.show(room_id, sorted(self._here.get(room_id, ())))
            return
        await self._store()
        await self._announce(room_ids)

    async def gathered(self, room_ids: list[int]) -> None:
        """Another worker (or this one) announced a change in these rooms: show them as Redis has them."""
        present = await self._gather(room_ids)
        for room_id in room_ids:
            await self.show(room_id, present.get(room_id, []))

    async def _store(self) -> None:
        """Write this worker's rooms -> names to its Redis hash, which expires unless refreshed."""
        key = _PRESENCE + self._worker
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if self._here:
                pipe.hset(key, mapping={str(room): json.dumps(sorted(names)) for room, names in self._here.items()})
                pipe.expire(key, settings.PRESENCE_TTL_SECONDS)
            pipe.sadd(_WORKERS, self._worker)
            await pipe.execute()

    async def _gather(self, room_ids: list[int] | None = None) -> dict[int, list[str]]:
        """Who is here in each room across all live workers (every room when `room_ids` is None)."""
        present: defaultdict[int, set[str]] = defaultdict(set)
        for worker in await self._redis.smembers(_WORKERS):
            key = _PRESENCE + worker.decode()
            if room_ids is None:
                rooms = await self._redis.hgetall(key)
            else:
                values = await self._redis.hmget(key, [str(room) for room in room_ids])
                rooms = {str(room): value for room, value in zip(room_ids, values, strict=True) if value}
            if not rooms and not await self._redis.exists(key):
                await self._redis.srem(_WORKERS, worker)
            for room, names in rooms.items():
                present[int(room)].update(json.loads(names))
        return {room: sorted(names) for room, names in present.items()}

    async def keep_alive(self) -> None:
        """Keep this worker's presence alive and notice workers that died (their hash expired)."""
        while True:
            try:
                await self._store()
                present = await self._gather()
                for room_id in set(present) | set(self._present):
                    await self.show(room_id, present.get(room_id, []))
            except Exception:
                logger.exception("presence refresh failed")
            await asyncio.sleep(settings.PRESENCE_REFRESH_SECONDS)

    async def forget_worker(self) -> None:
        if self._redis is not None:
            await self._redis.delete(_PRESENCE + self._worker)

    async def show(self, room_id: int, names: list[str]) -> None:
        if self._present.get(room_id, []) == names:
            return
        if names:
            self._present[room_id] = names
        else:
            self._present.pop(room_id, None)
        await sockets.emit({"present": names}, to=f"{ROOM}{room_id}")
        for listener in self.listeners:
            listener(room_id)
