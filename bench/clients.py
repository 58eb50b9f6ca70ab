"""Lean websocket clients speaking Reflex's protocol (socket.io over one websocket, by hand), each holding
its own server-side session. Per frame they take the time first and parse little, like the seed's client
(bench/peer.py), so the harness measures the server, not python-socketio."""

import asyncio
import itertools
import json
import time
import uuid

import aiohttp

from djangochat_rx.state.auth import AccountFormState, AuthState
from djangochat_rx.state.room import RoomState
from djangochat_rx.state.thread import ThreadState

NAMESPACE = "/_event"
FIELD = "_rx_state_"
ROOM_STATE = RoomState.get_full_name()
THREAD_STATE = ThreadState.get_full_name()
SNAPSHOT = "snapshot" + FIELD
INCOMING = "incoming" + FIELD
STATUS = "status" + FIELD
UPLOAD_URL = "upload_url" + FIELD
UPLOAD_TICKET = "upload_ticket" + FIELD
PENDING = "pending_files" + FIELD
TOKEN_FIELD = "session_token" + FIELD
TOKEN = f"{AuthState.get_full_name()}.{TOKEN_FIELD}"
AUTH_STATE = AuthState.get_full_name()
# socket.io packets on the namespace: CONNECT ("40") and EVENT ("42"); engine.io PING "2" / PONG "3".
_CONNECT = f"40{NAMESPACE},"
_EVENT = f"42{NAMESPACE},"


class BenchTab:
    """One tab in a room: records when each benchmark message first arrives (in the snapshot or alone),
    and the bytes of every frame received once the room is open."""

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
        self._session: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._joined = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self.upload_url = ""
        self.upload_ticket = ""
        self._attached = asyncio.Event()

    async def connect(self) -> None:
        url = self.base_url.replace("http", "ws", 1)
        self._session = aiohttp.ClientSession()
        # compress=15: offer permessage-deflate as every browser does (aiohttp's default offers nothing), so a
        # tab here costs the server what a browser's does.
        self._socket = await self._session.ws_connect(
            f"{url}{NAMESPACE}/?token={uuid.uuid4()}&EIO=4&transport=websocket",
            timeout=aiohttp.ClientWSTimeout(30),
            compress=15,
        )
        self._reader = asyncio.create_task(self._read())
        async with asyncio.timeout(30):
            await self._joined.wait()

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
        self.opened_at = time.perf_counter()
        await self._emit("reflex___state____state.hydrate_and_load", {"vars": {TOKEN: self.session_token}})

    async def typing(self) -> None:
        """What the message box sends (throttled) while its user types."""
        await self._emit(f"{ROOM_STATE}.typing_now", {"_text": "typing"})

    async def send(self, body: str) -> None:
        await self._emit(f"{ROOM_STATE}.send", {"form": {"message": body}})

    async def attach(self, name: str, data: bytes) -> None:
        """Upload a file as the message box does (HTTP, the tab's upload ticket), and attach it to the next
        message (the state hears of it; waits until the tab's pending files say so)."""
        async with self._session.post(
            self.upload_url, data=data, headers={"X-Upload-Ticket": self.upload_ticket, "X-File-Name": name}
        ) as answer:
            kept = await answer.json()
        self._attached.clear()
        await self._emit(f"{ROOM_STATE}.file_uploaded", {"file_id": kept["id"]})
        async with asyncio.timeout(30):
            await self._attached.wait()

    async def react(self, message_id: int, emoji: str) -> None:
        await self._emit(f"{ROOM_STATE}.react", {"message_id": message_id, "emoji": emoji})

    async def reply(self, parent_id: int, body: str) -> None:
        """Answer in a message's thread as the panel does: open the thread (it watches it from then on), reply."""
        await self._emit(f"{THREAD_STATE}.open_thread", {"parent_id": parent_id})
        await self._emit(f"{THREAD_STATE}.send_reply", {"form": {"reply": body, "reply_id": uuid.uuid4().hex}})

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
        if self._session is not None:
            await self._session.close()

    async def _emit(self, name: str, payload: dict) -> None:
        router = {"pathname": self.path, "asPath": self.path, "query": {"slug": self.slug}}
        event = ["event", {"name": name, "payload": payload, "router_data": router}]
        await self._socket.send_str(_EVENT + json.dumps(event))

    async def _read(self) -> None:
        async for frame in self._socket:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            now = time.perf_counter()
            data = frame.data
            if data.startswith(_EVENT):
                if self.ready.is_set():
                    self.bytes_received += len(data.encode())
                    self.frames_received += 1
                self._on_event(json.loads(data[len(_EVENT) :])[1], now)
            elif data == "2":
                await self._socket.send_str("3")
            elif data.startswith("0"):
                await self._socket.send_str(_CONNECT)
            elif data.startswith(_CONNECT):
                self._joined.set()

    def _on_event(self, update: dict, now: float) -> None:
        for state, delta in (update.get("delta") or {}).items():
            if state == AUTH_STATE and delta.get(TOKEN_FIELD):
                self.session_token = delta[TOKEN_FIELD]
            if state == AUTH_STATE and delta.get(UPLOAD_TICKET):
                self.upload_ticket = delta[UPLOAD_TICKET]
            if state != ROOM_STATE:
                continue
            if delta.get(UPLOAD_URL):
                self.upload_url = delta[UPLOAD_URL]
            if delta.get(PENDING):
                self._attached.set()
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
            tag = item["body"].split(" ", 1)[0]
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
