"""Lean websocket clients speaking Reflex's protocol, each holding its own server-side session."""

import asyncio
import itertools
import time
import uuid

import socketio

from djangochat_rx.state.auth import AccountFormState, AuthState
from djangochat_rx.state.room import RoomState

NAMESPACE = "/_event"
FIELD = "_rx_state_"
ROOM_STATE = RoomState.get_full_name()
SNAPSHOT = "snapshot" + FIELD
INCOMING = "incoming" + FIELD
STATUS = "status" + FIELD
TOKEN_FIELD = "session_token" + FIELD
TOKEN = f"{AuthState.get_full_name()}.{TOKEN_FIELD}"


class BenchTab:
    """One tab in a room: records when each benchmark message first arrives (in the snapshot or alone),
    and the bytes of every update received once the room is open."""

    def __init__(self, base_url: str, slug: str, session_token: str = "") -> None:
        self.base_url, self.slug, self.session_token = base_url, slug, session_token
        self.path = f"/rooms/{slug}"
        self.arrivals: dict[str, float] = {}
        self.order: list[str] = []
        self.duplicates = 0
        self.unordered_windows = 0
        self.ready = asyncio.Event()
        self.opened_at = 0.0
        self.window_at = 0.0
        self.ids: dict[str, int] = {}
        self.window_size = 0
        self.bytes_received = 0
        self.frames_received = 0
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NAMESPACE)

    async def connect(self) -> None:
        await self.sio.connect(
            f"{self.base_url}?token={uuid.uuid4()}",
            socketio_path="/_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            wait_timeout=30,
        )
        # Count each websocket frame as it arrives (what the seed's client counts too), once the room is open.
        ws = self.sio.eio.ws
        receive = ws.receive

        async def counted(*args, **kwargs):
            message = await receive(*args, **kwargs)
            if self.ready.is_set() and isinstance(message.data, str):
                self.bytes_received += len(message.data.encode())
                self.frames_received += 1
            return message

        ws.receive = counted

    async def login(self, username: str, password: str) -> None:
        """Log in through the real login handler (bcrypt and all) and keep the issued token."""
        await self._emit(
            f"{AccountFormState.get_full_name()}.login", {"form": {"username": username, "password": password}}
        )
        async with asyncio.timeout(30):
            while not self.session_token:
                await asyncio.sleep(0.01)

    async def open_room(self) -> None:
        """Hydrate at the room page: runs its on_load, which joins the room's live feed."""
        vars_ = {TOKEN: self.session_token}
        self.opened_at = time.perf_counter()
        await self._emit("reflex___state____state.hydrate_and_load", {"vars": vars_})

    async def typing(self) -> None:
        """What the message box sends (throttled) while its user types."""
        await self._emit(f"{ROOM_STATE}.typing_now", {"_text": "typing"})

    async def send(self, body: str) -> None:
        await self._emit(f"{ROOM_STATE}.send", {"form": {"message": body}})

    async def close(self) -> None:
        await self.sio.disconnect()

    async def _emit(self, name: str, payload: dict) -> None:
        router = {"pathname": self.path, "asPath": self.path, "query": {"slug": self.slug}}
        await self.sio.emit("event", {"name": name, "payload": payload, "router_data": router}, namespace=NAMESPACE)

    def _on_event(self, update: dict) -> None:
        now = time.perf_counter()
        for state, delta in (update.get("delta") or {}).items():
            if state == AuthState.get_full_name() and delta.get(TOKEN_FIELD):
                self.session_token = delta[TOKEN_FIELD]
            if state != ROOM_STATE:
                continue
            for items in (delta.get(SNAPSHOT), delta.get(INCOMING)):
                if items is not None:
                    self._take_window(items, now)
            if delta.get(STATUS) == "ready" and not self.ready.is_set():
                self.ready.set()

    def _take_window(self, window: list[dict], now: float) -> None:
        ids = [item["id"] for item in window]
        if len(set(ids)) != len(ids):
            self.duplicates += 1
        if ids != sorted(ids):
            self.unordered_windows += 1
        if not self.window_at:
            self.window_at, self.window_size = now, len(window)
        for item in window:
            tag = item["html"].removeprefix("<p>").split(" ", 1)[0]
            if tag not in self.arrivals:
                self.arrivals[tag] = now
                self.ids[tag] = item["id"]
                self.order.append(tag)

    def forget_arrivals(self) -> None:
        """Start counting afresh (the capacity scenario reuses tabs between steps)."""
        self.arrivals.clear()
        self.order.clear()
        self.ids.clear()

    def out_of_order(self) -> int:
        """Messages that first appeared after a message with a higher id."""
        ids = [self.ids[tag] for tag in self.order]
        return sum(1 for before, after in itertools.pairwise(ids) if after < before)
