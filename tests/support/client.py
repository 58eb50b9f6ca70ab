"""A browser tab without a browser: a python-socketio client speaking Reflex's websocket protocol."""

import asyncio
import html
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import socketio

from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState

FIELD = "_rx_state_"
NAMESPACE = "/_event"
STORAGE_KEY = "djangochat_session"
DEVICE_KEY = "djangochat_device"
# localStorage keys and the AuthState vars they hold.
STORED_VARS = {STORAGE_KEY: "session_token", DEVICE_KEY: "device_token"}


async def connect_socket(
    client: socketio.AsyncClient,
    base_url: str,
    token: str,
    headers: dict[str, str] | None = None,
    wait_timeout: int = 10,
) -> None:
    """Open Reflex's websocket the way its frontend does, as tab `token`."""
    await client.connect(
        f"{base_url}?token={token}",
        socketio_path="/_event",
        transports=["websocket"],
        namespaces=[NAMESPACE],
        headers=headers or {},
        wait_timeout=wait_timeout,
    )


def texts(window: list[dict[str, Any]] | None) -> list[str]:
    """The visible text of each message in a window (its rendered HTML without the tags)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", item["html"])).strip() for item in window or []]


def merged_feed(
    delta: dict[str, Any], key: int, items: list[dict[str, Any]], key_var: str, by: str, lists: tuple[str, ...]
) -> tuple[int, list[dict[str, Any]]]:
    """A feed after `delta`, as room_feed_core.js's createFeed merges it: `key_var` names what the feed follows
    (its items carry it as `by`); the `lists` vars merge in by id, in seq order."""
    followed = delta.get(key_var + FIELD, key)
    if followed != key:
        items = [item for item in items if item[by] == followed]
    for name in lists:
        mine = [item for item in delta.get(name + FIELD) or [] if item[by] == followed]
        if mine:
            merged = {item["id"]: item for item in items} | {item["id"]: item for item in mine}
            items = sorted(merged.values(), key=lambda item: item["seq"])
    return followed, items


class ReflexTab:
    """One tab: its own client token and socket, the state it was sent, and the browser's localStorage; `headers`
    go with the socket's handshake (e.g. the Origin of a page served from another port)."""

    def __init__(
        self, base_url: str, local_storage: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.base_url = base_url
        self.headers = headers or {}
        self.token = str(uuid.uuid4())
        self.local_storage = local_storage if local_storage is not None else {}
        self.state: dict[str, dict[str, Any]] = {}
        self.redirects: list[str] = []
        self.frames: list[dict[str, Any]] = []
        self.path = "/"
        self._changed = asyncio.Event()
        self._pending: set[asyncio.Future] = set()
        self._feed: list[dict[str, Any]] = []
        self._feed_room = 0
        self._thread: list[dict[str, Any]] = []
        self._thread_parent = 0
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NAMESPACE)
        self.sio.on("disconnect", lambda *_: self._changed.set(), namespace=NAMESPACE)

    async def open(self, path: str) -> None:
        """Connect and hydrate at `path`, as a page load does (runs the page's on_load)."""
        self.path = path
        await connect_socket(self.sio, self.base_url, self.token, self.headers)
        await self.emit("reflex___state____state.hydrate_and_load", {"vars": self._storage_vars()})
        await self.wait_for(lambda: self.state.get("reflex___state____state", {}).get("is_hydrated" + FIELD))

    async def navigate(self, path: str) -> None:
        """A client-side navigation: storage vars, then the new page's on_load."""
        self.path = path
        await self.emit(
            "reflex___state____state.reflex___state____update_vars_internal_state.update_vars_internal",
            {"vars": self._storage_vars()},
        )
        await self.emit("reflex___state____state.reflex___state____on_load_internal_state.on_load_internal", {})

    async def emit(self, handler: str, payload: dict[str, Any]) -> None:
        """Send one event, as a click or a form submit would."""
        pathname, _, search = self.path.partition("?")
        query = dict(parse_qsl(search))
        for prefix, name in (("/rooms/", "slug"), ("/users/", "name"), ("/groups/", "group")):
            if pathname.startswith(prefix):
                query[name] = pathname.removeprefix(prefix)
        await self.sio.emit(
            "event",
            {
                "name": handler,
                "payload": payload,
                "router_data": {"pathname": pathname, "asPath": self.path, "query": query},
            },
            namespace=NAMESPACE,
        )

    async def call(self, state: type, handler: str, **payload: Any) -> None:
        """Send `state.handler(**payload)`."""
        await self.emit(f"{state.get_full_name()}.{handler}", payload)

    def texts(self) -> list[str]:
        """The visible text of the room page's messages."""
        return texts(self.feed())

    def feed(self) -> list[dict[str, Any]]:
        """The messages the room page shows, merged as assets/room_feed.js merges them: the room's
        snapshot, each message sent alone and each batch of history, by id, in seq order."""
        return list(self._feed)

    def _merge_feed(self, delta: dict[str, Any]) -> None:
        self._feed_room, self._feed = merged_feed(
            delta, self._feed_room, self._feed, "feed_room", "room_id", ("history", "snapshot", "incoming")
        )

    def thread(self) -> list[dict[str, Any]]:
        """The replies the thread panel shows, merged as room_feed_core.js's THREAD_FIELDS merge them."""
        return list(self._thread)

    def _merge_thread(self, delta: dict[str, Any]) -> None:
        lists = ("thread_snapshot", "thread_incoming")
        self._thread_parent, self._thread = merged_feed(
            delta, self._thread_parent, self._thread, "thread_parent", "thread_id", lists
        )

    def var(self, state: type, name: str, default: Any = None) -> Any:
        """The value of `state.name` as this tab last received it."""
        return self.state.get(state.get_full_name(), {}).get(name + FIELD, default)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy and return it."""
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                self._changed.clear()
                await self._changed.wait()
        return result

    async def close(self) -> None:
        await self.sio.disconnect()

    def _storage_vars(self) -> dict[str, str]:
        from djangochat_rx.state.auth import AuthState

        state = AuthState.get_full_name()
        return {
            f"{state}.{var}{FIELD}": self.local_storage[key]
            for key, var in STORED_VARS.items()
            if self.local_storage.get(key)
        }

    async def _on_event(self, update: dict[str, Any]) -> None:
        self.frames.append(update)
        for state, delta in (update.get("delta") or {}).items():
            self.state.setdefault(state, {}).update(delta)
            if state == RoomState.get_full_name():
                self._merge_feed(delta)
            if state == ThreadState.get_full_name():
                self._merge_thread(delta)
            for key, var in STORED_VARS.items():
                if f"{var}{FIELD}" in delta:
                    self.local_storage[key] = delta[f"{var}{FIELD}"]
        for event in update.get("events") or []:
            name = event.get("name", "")
            if name == "_redirect":
                self.redirects.append(event["payload"]["path"])
            elif "." in name and not name.startswith("_"):
                # A state event the server asks for (e.g. "read the room again"): the browser sends it back.
                task = asyncio.ensure_future(self.emit(name, event.get("payload") or {}))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
        self._changed.set()
