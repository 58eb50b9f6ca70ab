"""Events between workers: with REDIS_URL set every event goes through one Redis pub/sub channel that
every worker (the publishing one included) listens to, and each delivers it to the sockets it holds —
one path and one order everywhere. With one worker, events are delivered directly."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import redis.asyncio as redis

from djangochat_rx import settings
from djangochat_rx.domain.events import Event, from_wire, to_wire
from djangochat_rx.realtime.presence import Presence

_CHANNEL = "djangochat:realtime"
_PRESENCE = "presence"

logger = logging.getLogger(__name__)


class Relay:
    """Publishes events to every worker's `deliver`, and presence announcements to every worker's presence."""

    def __init__(self, deliver: Callable[[Event], Awaitable[None]], presence: Presence) -> None:
        self._deliver = deliver
        self._presence = presence
        self._redis: redis.Redis | None = None

    async def publish(self, event: Event) -> None:
        if self._redis is None:
            await self._deliver(event)
        else:
            await self._redis.publish(_CHANNEL, json.dumps(to_wire(event)))

    async def _announce_presence(self, room_ids: list[int]) -> None:
        await self._redis.publish(_CHANNEL, json.dumps({"type": _PRESENCE, "room_ids": room_ids}))

    @contextlib.asynccontextmanager
    async def running(self, url: str = settings.REDIS_URL) -> AsyncIterator[None]:
        """While the app runs, relay events and presence between workers through Redis (when `url` is set)."""
        if not url:
            yield
            return
        client = redis.from_url(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(_CHANNEL)
        self._redis = client
        self._presence.share(client, self._announce_presence)
        tasks = [
            asyncio.create_task(self._listen(pubsub), name="djangochat-relay"),
            asyncio.create_task(self._presence.keep_alive(), name="djangochat-presence"),
        ]
        try:
            yield
        finally:
            self._redis = None
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            with contextlib.suppress(redis.RedisError):
                await self._presence.forget_worker()
            self._presence.share(None, None)
            await pubsub.aclose()
            await client.aclose()

    async def _listen(self, pubsub) -> None:
        async for item in pubsub.listen():
            try:
                data = json.loads(item["data"])
                if data.get("type") == _PRESENCE:
                    await self._presence.gathered(data["room_ids"])
                else:
                    await self._deliver(from_wire(data))
            except Exception:
                logger.exception("realtime relay could not handle %r", item["data"][:200])
