"""Who is watching which room, and pushing new messages to them.

Encode-once fan-out (Phoenix's "fastlane"): each tab's socket joins a socket.io room per chat
room. A new message updates the room's window (its newest messages) and the window is sent as one
Reflex state delta, serialised once and written to every socket in the room. Per-tab state is
never loaded, locked or diffed for a fan-out, which is what makes `app.modify_state` per tab slow.

The window var on the tabs' backend state stays empty: only this module writes it, straight to
the browsers. Access is decided when a socket joins; `end_session` takes a logged-out session's
sockets out of every room.

Who is typing in a room travels the same way: a small room-wide var, sent only when the set of
typers changes, kept in memory with an expiry timer (never written to the database).

With REDIS_URL set the app runs several workers. Then `publish` and `end_session` go through one
Redis pub/sub channel that every worker (the publishing one included) listens to, and each worker
delivers to the sockets it holds: one path, one order (Redis keeps a channel's order) everywhere.
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import redis.asyncio as redis
import reflex as rx
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER

from djangochat_rx import db, messages, settings
from djangochat_rx.messages import MessageView

_ROOM = "room:"
_SESSION = "session:"
_CHANNEL = "djangochat:realtime"

logger = logging.getLogger(__name__)


class RoomHub:
    """Socket membership of chat rooms and the one fan-out path for their messages."""

    def __init__(self, window_size: int = settings.ROOM_WINDOW) -> None:
        self._app: rx.App | None = None
        self._state_name = ""
        self._window_var = ""
        self._typing_var = ""
        self._window_size = window_size
        self._windows: dict[int, list[dict[str, Any]]] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._redis: redis.Redis | None = None
        self._typers: defaultdict[int, dict[str, asyncio.TimerHandle]] = defaultdict(dict)
        self._tasks: set[asyncio.Future] = set()

    def bind(self, app: rx.App, state: type[rx.State], window_var: str, typing_var: str) -> None:
        """Push windows to `state.window_var` and typers to `state.typing_var` through `app`'s socket server."""
        self._app = app
        self._state_name = state.get_full_name()
        self._window_var = window_var + FIELD_MARKER
        self._typing_var = typing_var + FIELD_MARKER

    @property
    def _namespace(self):
        namespace = self._app.event_namespace if self._app else None
        if namespace is None:
            raise RuntimeError("RoomHub is not bound to a running app")
        return namespace

    async def join(self, sid: str, room_id: int, session_id: int) -> None:
        """Put socket `sid` in `room_id` (and out of any other room) and send it the room's window."""
        await self.leave(sid)
        server = self._namespace.server
        await server.enter_room(sid, f"{_SESSION}{session_id}", namespace=self._namespace.namespace)
        async with self._locks[room_id]:
            # Entered under the room lock: no message can be published between the window we send
            # and the socket being in the room.
            await server.enter_room(sid, f"{_ROOM}{room_id}", namespace=self._namespace.namespace)
            window = await self._window(room_id)
            await self._emit({self._window_var: window, self._typing_var: self._typing_names(room_id)}, to=sid)

    async def leave(self, sid: str) -> None:
        """Take socket `sid` out of every chat room (the tab left the room page)."""
        namespace = self._namespace
        for room in namespace.server.rooms(sid, namespace=namespace.namespace):
            if room.startswith((_ROOM, _SESSION)):
                await namespace.server.leave_room(sid, room, namespace=namespace.namespace)

    async def end_session(self, session_id: int) -> None:
        """Take every socket of a logged-out session out of every chat room, on every worker."""
        await self._broadcast({"type": "end_session", "session_id": session_id})

    async def typing(self, room_id: int, username: str, active: bool = True) -> None:
        """Say that `username` is typing in the room (or stopped: sent the message), on every worker."""
        await self._broadcast({"type": "typing", "room_id": room_id, "username": username, "active": active})

    async def publish(self, message: MessageView) -> None:
        """Send a committed message to every socket watching its room, on every worker."""
        await self._broadcast({"type": "message", "room_id": message.room_id, "item": window_item(message)})

    @contextlib.asynccontextmanager
    async def relay(self, url: str = settings.REDIS_URL) -> AsyncIterator[None]:
        """While the app runs, relay publishes between workers through Redis (when `url` is set)."""
        if not url:
            yield
            return
        client = redis.from_url(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(_CHANNEL)
        listener = asyncio.create_task(self._listen(pubsub), name="djangochat-relay")
        self._redis = client
        try:
            yield
        finally:
            self._redis = None
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            await pubsub.aclose()
            await client.aclose()

    async def _broadcast(self, event: dict[str, Any]) -> None:
        if self._redis is None:
            await self._handle(event)
        else:
            await self._redis.publish(_CHANNEL, json.dumps(event))

    async def _listen(self, pubsub) -> None:
        async for item in pubsub.listen():
            try:
                await self._handle(json.loads(item["data"]))
            except Exception:
                logger.exception("realtime relay could not handle %r", item["data"][:200])

    async def _handle(self, event: dict[str, Any]) -> None:
        if event["type"] == "message":
            await self._deliver(event["room_id"], event["item"])
        elif event["type"] == "typing":
            await self._set_typing(event["room_id"], event["username"], event["active"])
        elif event["type"] == "end_session":
            namespace = self._namespace
            room = f"{_SESSION}{event['session_id']}"
            for sid, _eio_sid in list(namespace.server.manager.get_participants(namespace.namespace, room)):
                await self.leave(sid)

    async def _deliver(self, room_id: int, item: dict[str, Any]) -> None:
        """Put a message into its room's window and send the window to this worker's sockets there."""
        async with self._locks[room_id]:
            if not self._has_members(room_id):
                self._windows.pop(room_id, None)
                return
            window = self._windows.get(room_id)
            if window is None:
                window = await self._window(room_id)
            else:
                window = _insert(window, item, self._window_size)
                self._windows[room_id] = window
            await self._emit({self._window_var: window}, to=f"{_ROOM}{room_id}")

    async def _set_typing(self, room_id: int, username: str, active: bool) -> None:
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
            await self._emit({self._typing_var: self._typing_names(room_id)}, to=f"{_ROOM}{room_id}")

    def _expire_typing(self, room_id: int, username: str) -> None:
        task = asyncio.ensure_future(self._set_typing(room_id, username, False))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _typing_names(self, room_id: int) -> list[str]:
        return sorted(self._typers.get(room_id, ()))

    def _has_members(self, room_id: int) -> bool:
        namespace = self._namespace
        members = namespace.server.manager.get_participants(namespace.namespace, f"{_ROOM}{room_id}")
        return next(iter(members), None) is not None

    async def _window(self, room_id: int) -> list[dict[str, Any]]:
        window = self._windows.get(room_id)
        if window is None:
            views = await db.run(messages.newest_messages, room_id, self._window_size)
            window = self._windows[room_id] = [window_item(view) for view in views]
        return window

    async def _emit(self, fields: dict[str, Any], to: str) -> None:
        await self._namespace.emit("event", StateUpdate(delta={self._state_name: fields}), to=to)


def window_item(message: MessageView) -> dict[str, Any]:
    """What the browser gets for a message: the rendered text only (the typed source stays on the server)."""
    return {"id": message.id, "author": message.author, "html": message.html, "created_at": message.created_at}


def _insert(window: list[dict[str, Any]], item: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """A new window with `item` placed by id (publishes may race), no duplicates, newest `size` kept."""
    if any(existing["id"] == item["id"] for existing in window):
        return window
    merged = sorted([*window, item], key=lambda entry: entry["id"])
    return merged[-size:]


hub = RoomHub()
