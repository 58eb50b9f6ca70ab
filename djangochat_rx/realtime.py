"""Live updates: who watches which room or the rooms list, and the one fan-out path to them.

Encode-once fan-out (Phoenix's "fastlane"): each tab's socket joins socket.io rooms, and every
room-wide change is sent as one Reflex state delta, serialised once and written to every socket
there. Per-tab state is never loaded, locked or diffed for a fan-out, which is what makes
`app.modify_state` per tab slow. The vars the hub writes stay empty in the tabs' backend state.

What travels this way, all through `_handle`:
- a room's window (its newest messages; a new, edited or deleted message replaces its entry) and
  the room's recent edits (for messages a tab scrolled back to, outside the window);
- who is typing in a room and who is here (presence), kept in memory, never in the database;
- the rooms list ("lobby"): each public room's latest activity and how many are online, coalesced,
  and per user their private rooms and direct conversations ("own" rooms), the same way;
- a room's changes (renamed, archived, deleted, members): its open pages read it again, and the
  sockets of people who lost access leave it at once;
- per user: the rooms where they were mentioned, and a notice for a browser notification.

Sockets join `session:<id>` and `user:<name>` on every logged-in page (`attach`), and then at most
one of `room:<id>` (`join`) or `lobby` plus `own:<name>` (`watch_lobby`). A socket's disconnect removes its presence.

With REDIS_URL set the app runs several workers. Then every event goes through one Redis pub/sub
channel that every worker (the publishing one included) listens to, and each worker delivers to the
sockets it holds: one path, one order everywhere. Presence is shared through one Redis hash per
worker (room -> names) that expires unless the worker refreshes it, so a dead worker's users vanish.
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from typing import Any

import redis.asyncio as redis
import reflex as rx
from reflex.event import Event, EventHandler
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER

from djangochat_rx import accounts, db, messages, reads, settings
from djangochat_rx.access import PUBLIC
from djangochat_rx.messages import MessageView

_ROOM = "room:"
_SESSION = "session:"
_USER = "user:"
_LOBBY = "lobby"
_OWN = "own:"
_CHANNEL = "djangochat:realtime"
_PRESENCE = "djangochat:presence:"
_WORKERS = "djangochat:presence-workers"
_PER_USER = {"read_seq", "unread", "mentioned"}

logger = logging.getLogger(__name__)

Target = tuple[type[rx.State], str]


class RoomHub:
    """Socket membership of rooms and the lobby, and the one fan-out path for what happens in them."""

    def __init__(self, window_size: int = settings.ROOM_WINDOW) -> None:
        self._app: rx.App | None = None
        self._targets: dict[str, tuple[str, str]] = {}
        self._window_size = window_size
        self._windows: dict[int, list[dict[str, Any]]] = {}
        self._edits: dict[int, dict[str, dict[str, Any]]] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._redis: redis.Redis | None = None
        self._worker = uuid.uuid4().hex
        self._typers: defaultdict[int, dict[str, asyncio.TimerHandle]] = defaultdict(dict)
        self._watching: dict[str, tuple[int, str]] = {}
        self._here: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self._present: dict[int, list[str]] = {}
        self._read_marks: dict[str, dict[str, int]] = {}
        # Per user with a rooms list open on this worker: their id, and their private rooms and DMs by id.
        self._own_ids: dict[str, int] = {}
        self._own: dict[str, dict[int, dict[str, Any]]] = {}
        self._own_dirty: set[str] = set()
        self._refresh: list[Event] = []
        self._presence_dirty: set[int] = set()
        self._presence_flush: asyncio.TimerHandle | None = None
        self._lobby: dict[int, dict[str, Any]] | None = None
        self._lobby_flush: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Future] = set()
        self._hooked = False

    def bind(self, app: rx.App, refresh: EventHandler, **targets: Target) -> None:
        """Write through `app`'s socket server to these vars: window, typing, present, edits (room page),
        lobby, own_rooms, read_marks, mentioned (rooms page) and notice (every page); `refresh` is the
        room page's event handler that reads the room again after it changed."""
        self._app = app
        self._refresh = Event.from_event_type(refresh)
        self._targets = {role: (state.get_full_name(), name + FIELD_MARKER) for role, (state, name) in targets.items()}

    @property
    def _namespace(self):
        namespace = self._app.event_namespace if self._app else None
        if namespace is None:
            raise RuntimeError("RoomHub is not bound to a running app")
        if not self._hooked:
            self._hooked = True
            on_disconnect = namespace.on_disconnect

            def disconnected(sid: str, *reason: Any) -> Any:
                self._spawn(self._unwatch(sid))
                return on_disconnect(sid)

            namespace.on_disconnect = disconnected
        return namespace

    # --- membership -------------------------------------------------------------------------

    async def attach(self, sid: str, session_id: int, username: str) -> None:
        """A logged-in page opened on socket `sid`: stop watching any room, follow the session and user."""
        await self._unwatch(sid)
        for name in (f"{_SESSION}{session_id}", _user_room(username)):
            await self._enter(sid, name)

    async def detach(self, sid: str) -> None:
        """Socket `sid` is no longer logged in: out of every room, session and user."""
        await self._unwatch(sid)
        for name in self._rooms_of(sid):
            if name.startswith((_SESSION, _USER)):
                await self._leave(sid, name)

    async def join(self, sid: str, room_id: int, username: str) -> None:
        """Socket `sid` (already attached) watches `room_id`: send it the room as it is now."""
        await self._unwatch(sid)
        async with self._locks[room_id]:
            # Entered under the room lock: nothing can be published between the window we send
            # and the socket being in the room.
            await self._enter(sid, f"{_ROOM}{room_id}")
            window = await self._window(room_id)
            await self._emit(
                {
                    "window": window,
                    "edits": self._edits.get(room_id, {}),
                    "typing": self._typing_names(room_id),
                    "present": self._present.get(room_id, []),
                },
                to=sid,
            )
        self._watching[sid] = (room_id, username)
        self._here[room_id][username] += 1
        await self._presence_changed(room_id)

    def window_start(self, room_id: int) -> int | None:
        """The id of the oldest message in the room's live window (None: no window or no messages)."""
        window = self._windows.get(room_id)
        return window[0]["id"] if window else None

    async def watch_lobby(self, sid: str, user_id: int, username: str, own: list[dict[str, Any]]) -> None:
        """Socket `sid` (already attached) shows the rooms list: send it the lobby as it is now, and
        `own` (the user's private rooms and DMs, as `lobby_item`s, just read), kept live from here on."""
        await self._unwatch(sid)
        key = accounts.username_key(username)
        await self._enter(sid, _LOBBY)
        await self._enter(sid, f"{_OWN}{key}")
        self._own_ids[key] = user_id
        self._own[key] = {item["id"]: item for item in own}
        await self._emit({"lobby": await self._lobby_items(reload=True), "own_rooms": self._own_items(key)}, to=sid)

    async def _unwatch(self, sid: str) -> None:
        """Stop sending socket `sid` a room or the lobby, and take it off the room's presence."""
        for name in self._rooms_of(sid):
            if name.startswith((_ROOM, _OWN)) or name == _LOBBY:
                await self._leave(sid, name)
        for room in [room for room in self._read_marks if not self._has_members(room)]:
            del self._read_marks[room]
        for key in [key for key in self._own if not self._has_members(f"{_OWN}{key}")]:
            del self._own[key], self._own_ids[key]
            self._own_dirty.discard(key)
        watched = self._watching.pop(sid, None)
        if watched is not None:
            room_id, username = watched
            here = self._here[room_id]
            here[username] -= 1
            if here[username] <= 0:
                del here[username]
            if not here:
                del self._here[room_id]
            await self._presence_changed(room_id)

    # --- what happens -----------------------------------------------------------------------

    async def end_session(self, session_id: int) -> None:
        """Detach every socket of a logged-out session, on every worker."""
        await self._broadcast({"type": "end_session", "session_id": session_id})

    async def typing(self, room_id: int, username: str, active: bool = True) -> None:
        """Say that `username` is typing in the room (or stopped: sent the message), on every worker."""
        await self._broadcast({"type": "typing", "room_id": room_id, "username": username, "active": active})

    async def publish(self, message: MessageView, room_name: str = "", slug: str = "") -> None:
        """Send a committed new, edited or deleted message to its room and the lobby, on every worker.

        Users mentioned in a new message get their unread-mention rooms and a notice."""
        event = {
            "type": "message",
            "room_id": message.room_id,
            "slug": slug,
            "item": window_item(message),
            "preview": reads.preview(message.body, message.deleted, message.removed),
        }
        if message.mentions and not message.edited and not message.deleted:
            event["mentioned"] = await db.run(reads.mention_marks, message.mentions)
            event["notice"] = {
                "id": message.id,
                "room": room_name,
                "slug": slug,
                "author": message.author,
                "text": event["preview"],
            }
        await self._broadcast(event)

    async def read(self, username: str, slug: str, seq: int, mentioned: list[str]) -> None:
        """`username` has read `slug` up to `seq`: their rooms lists update, on every worker."""
        await self._broadcast({"type": "read", "user": username, "slug": slug, "seq": seq, "mentioned": mentioned})

    async def room_changed(
        self, room_id: int, people: Sequence[str] = (), expelled: Sequence[str] = (), gone: bool = False
    ) -> None:
        """Room `room_id` was created, renamed, described, archived or deleted, or its members changed, on every
        worker: the sockets of `expelled` users (everyone's when the room is `gone`) stop receiving it at
        once, its open pages read it again (and so learn they lost it), the rooms lists of `people`
        (members before and after the change) and of `expelled` reload, and so does the lobby."""
        keys = [accounts.username_key(name) for name in expelled]
        people_keys = sorted({accounts.username_key(name) for name in people} | set(keys))
        await self._broadcast(
            {"type": "room", "room_id": room_id, "people": people_keys, "expelled": keys, "gone": gone}
        )

    # --- relay --------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def relay(self, url: str = settings.REDIS_URL) -> AsyncIterator[None]:
        """While the app runs, relay events and presence between workers through Redis (when `url` is set)."""
        if not url:
            yield
            return
        client = redis.from_url(url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(_CHANNEL)
        self._redis = client
        tasks = [
            asyncio.create_task(self._listen(pubsub), name="djangochat-relay"),
            asyncio.create_task(self._refresh_presence(), name="djangochat-presence"),
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
                await client.delete(_PRESENCE + self._worker)
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
        kind = event["type"]
        if kind == "message":
            await self._deliver(event["room_id"], event["item"])
            self._rooms_list_message(event["room_id"], event["item"], event["preview"])
            item = event["item"]
            if not (item["edited"] or item["deleted"]):
                await self._read_mark(item["author"], event["slug"], item["seq"])
            for key, slugs in event.get("mentioned", {}).items():
                await self._emit({"mentioned": slugs, "notice": event["notice"]}, to=f"{_USER}{key}")
        elif kind == "read":
            await self._read_mark(event["user"], event["slug"], event["seq"], event["mentioned"])
        elif kind == "typing":
            await self._set_typing(event["room_id"], event["username"], event["active"])
        elif kind == "presence":
            present = await self._gather_presence(event["room_ids"])
            for room_id in event["room_ids"]:
                await self._show_presence(room_id, present.get(room_id, []))
        elif kind == "room":
            await self._room_changed(event["room_id"], event["people"], set(event["expelled"]), event["gone"])
        elif kind == "end_session":
            room = f"{_SESSION}{event['session_id']}"
            for sid in self._participants(room):
                await self.detach(sid)

    # --- rooms ----------------------------------------------------------------------------------

    async def _deliver(self, room_id: int, item: dict[str, Any]) -> None:
        """Put a message into its room's window (or recent edits) and send them to this worker's sockets there."""
        async with self._locks[room_id]:
            if not self._has_members(f"{_ROOM}{room_id}"):
                self._windows.pop(room_id, None)
                self._edits.pop(room_id, None)
                return
            fields: dict[str, Any] = {}
            if item["edited"] or item["deleted"]:
                edits = {key: value for key, value in self._edits.get(room_id, {}).items() if key != str(item["id"])}
                edits[str(item["id"])] = item
                self._edits[room_id] = fields["edits"] = dict(list(edits.items())[-settings.ROOM_EDITS_KEPT :])
            window = self._windows.get(room_id)
            if window is None:
                fields["window"] = await self._window(room_id)
            elif (updated := _insert(window, item, self._window_size)) is not window:
                self._windows[room_id] = fields["window"] = updated
            if fields:
                await self._emit(fields, to=f"{_ROOM}{room_id}")

    async def _room_changed(self, room_id: int, people: list[str], expelled: set[str], gone: bool) -> None:
        room = f"{_ROOM}{room_id}"
        # One frame asks every page in the room to read it again (access is re-checked there) ...
        await self._namespace.emit("event", StateUpdate(events=self._refresh), to=room)
        # ... and the sockets of those who lost it stop receiving its messages now, whatever their page does.
        for sid in self._participants(room):
            watched = self._watching.get(sid)
            if gone or (watched is not None and accounts.username_key(watched[1]) in expelled):
                await self._unwatch(sid)
        if gone:
            async with self._locks[room_id]:
                self._windows.pop(room_id, None)
                self._edits.pop(room_id, None)
        for key in people:
            if key in self._own:
                summaries = await db.run(reads.room_summaries, self._own_ids[key])
                self._own[key] = {summary.id: lobby_item(summary) for summary in summaries if summary.kind != PUBLIC}
                self._own_dirty.add(key)
        self._lobby = None
        self._lobby_changed()

    async def _window(self, room_id: int) -> list[dict[str, Any]]:
        window = self._windows.get(room_id)
        if window is None:
            views = await db.run(messages.newest_messages, room_id, self._window_size)
            window = self._windows[room_id] = [window_item(view) for view in views]
        return window

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
            await self._emit({"typing": self._typing_names(room_id)}, to=f"{_ROOM}{room_id}")

    def _expire_typing(self, room_id: int, username: str) -> None:
        self._spawn(self._set_typing(room_id, username, False))

    def _typing_names(self, room_id: int) -> list[str]:
        return sorted(self._typers.get(room_id, ()))

    # --- presence -------------------------------------------------------------------------------

    async def _presence_changed(self, room_id: int) -> None:
        """Someone came or went: tell the room soon. Changes within PRESENCE_FLUSH_SECONDS go out as
        one frame per room, so 200 people opening a room cost 1 frame each, not 200."""
        self._presence_dirty.add(room_id)
        if self._presence_flush is None:
            loop = asyncio.get_running_loop()
            self._presence_flush = loop.call_later(settings.PRESENCE_FLUSH_SECONDS, self._spawn_presence_flush)

    def _spawn_presence_flush(self) -> None:
        self._presence_flush = None
        rooms, self._presence_dirty = sorted(self._presence_dirty), set()
        self._spawn(self._flush_presence(rooms))

    async def _flush_presence(self, room_ids: list[int]) -> None:
        if self._redis is None:
            for room_id in room_ids:
                await self._show_presence(room_id, sorted(self._here.get(room_id, ())))
            return
        await self._store_presence()
        await self._redis.publish(_CHANNEL, json.dumps({"type": "presence", "room_ids": room_ids}))

    async def _store_presence(self) -> None:
        """Write this worker's rooms -> names to its Redis hash, which expires unless refreshed."""
        key = _PRESENCE + self._worker
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if self._here:
                pipe.hset(key, mapping={str(room): json.dumps(sorted(names)) for room, names in self._here.items()})
                pipe.expire(key, settings.PRESENCE_TTL_SECONDS)
            pipe.sadd(_WORKERS, self._worker)
            await pipe.execute()

    async def _gather_presence(self, room_ids: list[int] | None = None) -> dict[int, list[str]]:
        """Who is here in each room across all live workers (every room when `room_ids` is None)."""
        if self._redis is None:
            return {room: sorted(names) for room, names in self._here.items()}
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

    async def _refresh_presence(self) -> None:
        """Keep this worker's presence alive and notice workers that died (their hash expired)."""
        while True:
            try:
                await self._store_presence()
                present = await self._gather_presence()
                for room_id in set(present) | set(self._present):
                    await self._show_presence(room_id, present.get(room_id, []))
            except Exception:
                logger.exception("presence refresh failed")
            await asyncio.sleep(settings.PRESENCE_REFRESH_SECONDS)

    async def _show_presence(self, room_id: int, names: list[str]) -> None:
        if self._present.get(room_id, []) == names:
            return
        if names:
            self._present[room_id] = names
        else:
            self._present.pop(room_id, None)
        await self._emit({"present": names}, to=f"{_ROOM}{room_id}")
        owners = {key for key, rooms in self._own.items() if room_id in rooms}
        self._own_dirty |= owners
        if owners or (self._lobby is not None and room_id in self._lobby):
            self._lobby_changed()

    async def _read_mark(self, username: str, slug: str, seq: int, mentioned: list[str] | None = None) -> None:
        """Tell `username`'s rooms lists on this worker how far they have read `slug` (and where they are mentioned).

        Kept only while the user has sockets here, for the rooms they read since their rooms list loaded."""
        room = _user_room(username)
        if not self._has_members(room):
            self._read_marks.pop(room, None)
            return
        marks = self._read_marks.setdefault(room, {})
        marks[slug] = max(seq, marks.get(slug, 0))
        fields: dict[str, Any] = {"read_marks": dict(marks)}
        if mentioned is not None:
            fields["mentioned"] = mentioned
        await self._emit(fields, to=room)

    # --- lobby ----------------------------------------------------------------------------------

    async def _lobby_items(self, reload: bool = False) -> list[dict[str, Any]]:
        """Every public room's latest activity and online count, most recently active first.

        `reload` reads the rooms again (one query), keeping any newer activity a message event
        brought in while the query ran."""
        if self._lobby is None or reload:
            summaries = await db.run(reads.room_summaries, None)
            fresh = {summary.id: lobby_item(summary) for summary in summaries}
            for room_id, item in (self._lobby or {}).items():
                if room_id in fresh and item["message_count"] > fresh[room_id]["message_count"]:
                    fresh[room_id] = item
            self._lobby = fresh
        return self._by_activity(self._lobby)

    def _own_items(self, key: str) -> list[dict[str, Any]]:
        """The private rooms and DMs of the user with `key`, most recently active first."""
        return self._by_activity(self._own.get(key, {}))

    def _by_activity(self, rooms: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
        for room_id, item in rooms.items():
            item["online"] = len(self._present.get(room_id, ()))
        by_name = sorted(rooms.values(), key=lambda item: item["name"].casefold())
        return sorted(by_name, key=lambda item: item["last_message_at"], reverse=True)

    def _rooms_list_message(self, room_id: int, item: dict[str, Any], preview: str) -> None:
        """A message changes its room's row on the lobby or on its members' own lists."""
        if self._lobby is not None and room_id in self._lobby and _show_message(self._lobby[room_id], item, preview):
            self._lobby_changed()
        for key, rooms in self._own.items():
            if room_id in rooms and _show_message(rooms[room_id], item, preview):
                self._own_dirty.add(key)
                self._lobby_changed()

    def _lobby_changed(self) -> None:
        """Send the lobby and changed own lists soon: changes within LOBBY_FLUSH_SECONDS go out as one frame each."""
        if self._lobby_flush is None and self._app is not None and (self._own_dirty or self._has_members(_LOBBY)):
            loop = asyncio.get_running_loop()
            self._lobby_flush = loop.call_later(settings.LOBBY_FLUSH_SECONDS, self._spawn_lobby_flush)

    def _spawn_lobby_flush(self) -> None:
        self._lobby_flush = None
        self._spawn(self._flush_lobby())

    async def _flush_lobby(self) -> None:
        if self._has_members(_LOBBY):
            await self._emit({"lobby": await self._lobby_items()}, to=_LOBBY)
        dirty, self._own_dirty = self._own_dirty, set()
        for key in sorted(dirty):
            if key in self._own:
                await self._emit({"own_rooms": self._own_items(key)}, to=f"{_OWN}{key}")

    # --- sockets --------------------------------------------------------------------------------

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _rooms_of(self, sid: str) -> list[str]:
        namespace = self._namespace
        return list(namespace.server.rooms(sid, namespace=namespace.namespace))

    async def _enter(self, sid: str, room: str) -> None:
        await self._namespace.server.enter_room(sid, room, namespace=self._namespace.namespace)

    async def _leave(self, sid: str, room: str) -> None:
        await self._namespace.server.leave_room(sid, room, namespace=self._namespace.namespace)

    def _participants(self, room: str) -> list[str]:
        namespace = self._namespace
        return [sid for sid, _eio in namespace.server.manager.get_participants(namespace.namespace, room)]

    def _has_members(self, room: str) -> bool:
        namespace = self._namespace
        members = namespace.server.manager.get_participants(namespace.namespace, room)
        return next(iter(members), None) is not None

    async def _emit(self, fields: dict[str, Any], to: str) -> None:
        """Send `fields` (by role, see `bind`) as one state delta to a socket or socket.io room."""
        delta: dict[str, dict[str, Any]] = {}
        for role, value in fields.items():
            state, name = self._targets[role]
            delta.setdefault(state, {})[name] = value
        await self._namespace.emit("event", StateUpdate(delta=delta), to=to)


def window_item(message: MessageView) -> dict[str, Any]:
    """What the browser gets for a message: the rendered text only (the typed source stays on the server)."""
    return {
        "id": message.id,
        "seq": message.seq,
        "author": message.author,
        "html": message.html,
        "created_at": message.created_at,
        "edited": message.edited,
        "deleted": message.deleted,
        "removed": message.removed,
        "mentions": list(message.mentions),
    }


def lobby_item(summary: reads.RoomSummary) -> dict[str, Any]:
    """A room on the rooms list, as every viewer sees it (unread counts are worked out per viewer)."""
    item = {name: value for name, value in asdict(summary).items() if name not in _PER_USER}
    return {**item, "online": 0}


def _show_message(room: dict[str, Any], item: dict[str, Any], preview: str) -> bool:
    """Update a rooms-list row for a message in its room; whether it changed (an older message's edit does not)."""
    if item["seq"] < room["message_count"]:
        return False
    room.update(
        message_count=item["seq"],
        last_message_at=room["last_message_at"] if item["edited"] or item["deleted"] else item["created_at"],
        last_author=item["author"],
        last_preview=preview,
    )
    return True


def _user_room(username: str) -> str:
    return f"{_USER}{accounts.username_key(username)}"


def _insert(window: list[dict[str, Any]], item: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """The window with `item` placed by id (publishes may race) or replacing its older version;
    the same list when `item` is older than the window or unchanged."""
    for index, existing in enumerate(window):
        if existing["id"] == item["id"]:
            return window if existing == item else [*window[:index], item, *window[index + 1 :]]
    if len(window) >= size and window and item["id"] < window[0]["id"]:
        return window
    merged = sorted([*window, item], key=lambda entry: entry["id"])
    return merged[-size:]


hub = RoomHub()
