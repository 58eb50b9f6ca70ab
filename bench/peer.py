"""The seed (DjangoChat on Django Channels, from ../shared/peer) as a benchmark server, and its websocket client.

`setup()` makes, once per machine, a venv with the seed's pinned requirements and a migrated copy of its app
holding the user and room its consumer needs, in a cache folder outside the project. Each `PeerServer` runs a
fresh copy of that app and database (the seed never forgets closed sockets, so nothing is shared between runs).
"""

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from bench.server import PROJECT, ServerProcess

PEER = PROJECT.parent / "shared" / "peer"
USERNAME = "loadtest"
ROOM = "load"
MAKE_USER_AND_ROOM = f"""
from django.contrib.auth.models import User; from chatapp.models import ChatRoom
User.objects.create_user({USERNAME!r}, password='Load-Test-Pw-2024')
ChatRoom.objects.create(slug={ROOM!r}, name='Load Room')"""


def available() -> bool:
    """Whether the seed is there to compare against."""
    return (PEER / "requirements-linux.txt").is_file() and (PEER / "djangochat" / "manage.py").is_file()


def home() -> Path:
    """The cache folder for the seed's venv and app, named by its requirements' hash."""
    digest = hashlib.sha256((PEER / "requirements-linux.txt").read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "djangochat-bench" / f"peer-{digest}"


def setup() -> Path:
    """The seed's venv and migrated app with its user and room (made on first use, then reused)."""
    target = home()
    if (target / "ready").exists():
        return target
    print(f"setting up the seed in {target} (once: a venv and its pinned requirements)", file=sys.stderr, flush=True)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "venv", str(target / "venv")], check=True)
    pip = [str(target / "venv" / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(PEER / "requirements-linux.txt")], check=True)
    app = target / "app"
    shutil.copytree(PEER / "djangochat", app, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    for path in [app, *app.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)  # the shared copy is read-only
    python = str(target / "venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "migrate", "--verbosity", "0"], cwd=app, check=True)
    subprocess.run([python, "manage.py", "shell", "-c", MAKE_USER_AND_ROOM], cwd=app, check=True)
    (target / "ready").touch()
    return target


def store_before_broadcast(app: Path) -> None:
    """The seed with ours' guarantee (a message anyone saw is stored): its consumer's one `save_message` line
    moved before `group_send` (../shared/peer/README.md), nothing else."""
    consumer = app / "chatapp" / "consumers.py"
    source = consumer.read_text()
    save = "        await self.save_message(username,room,message)\n"
    send = "        await self.channel_layer.group_send("
    if save not in source or send not in source:
        raise RuntimeError(f"the seed's consumer changed: cannot move its save before its broadcast ({consumer})")
    consumer.write_text(source.replace(save, "").replace(send, save + send, 1))


class PeerServer(ServerProcess):
    """`manage.py runserver --noreload` (Channels' daphne) on a fresh copy of the set-up app and database."""

    def __init__(self, workdir: Path, storing: bool = False) -> None:
        super().__init__(workdir / "peer.log")
        self.workdir = workdir
        self.storing = storing
        self.room_url = f"ws://127.0.0.1:{self.port}/ws/{ROOM}/"

    def start(self, timeout: float = 60) -> None:
        cached = setup()
        app = self.workdir / "app"
        shutil.copytree(cached / "app", app)
        if self.storing:
            store_before_broadcast(app)
        self.prepare(app)
        command = [str(cached / "venv" / "bin" / "python"), "manage.py", "runserver", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "--noreload"],
            cwd=app,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.await_answer("/", timeout)

    def prepare(self, app: Path) -> None:
        """Change the fresh copy before it starts (the browser bench adds rooms and messages)."""


class PeerTab:
    """One open room page of the seed: records when each benchmark message first arrives on its socket.

    Out of order (`out_of_order()`): a message first seen after a message from the same sender with a higher
    send sequence (the seed's messages carry no id; the tag `s<sender>-<seq>` says who sent it and when).
    """

    unordered_windows = 0  # one message per frame: there are no windows to be out of order

    def __init__(self, room_url: str) -> None:
        self.room_url = room_url
        self.arrivals: dict[str, float] = {}
        self.duplicates = 0
        self.bytes_received = 0
        self.frames_received = 0
        self.ready = asyncio.Event()
        self.session: aiohttp.ClientSession | None = None
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task | None = None

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession()

    async def open_room(self) -> None:
        """Open the room's socket, as the room page does (that joins the room's group)."""
        # compress=15: offer permessage-deflate as a browser does (clients.py BenchTab does the same).
        self.socket = await self.session.ws_connect(
            self.room_url, timeout=aiohttp.ClientWSTimeout(ws_close=5), compress=15
        )
        self._reader = asyncio.create_task(self._read())
        self.ready.set()

    async def send(self, body: str) -> None:
        await self.socket.send_str(json.dumps({"message": body, "username": USERNAME, "room": ROOM}))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            self._reader.cancel()
        await self.session.close()

    async def _read(self) -> None:
        async for frame in self.socket:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            now = time.perf_counter()
            self.frames_received += 1
            self.bytes_received += len(frame.data.encode())
            tag = json.loads(frame.data)["message"].split(" ", 1)[0]
            if tag in self.arrivals:
                self.duplicates += 1
            else:
                self.arrivals[tag] = now

    def out_of_order(self) -> int:
        """Messages first seen after one from the same sender with a higher send sequence."""
        highest: dict[str, int] = {}
        late = 0
        for tag in self.arrivals:  # insertion order is the order of first arrival
            sender, _, seq = tag.rpartition("-")
            if int(seq) < highest.get(sender, -1):
                late += 1
            highest[sender] = max(highest.get(sender, -1), int(seq))
        return late


async def connect_all(server: PeerServer, clients: int) -> list[PeerTab]:
    """`clients` open room pages, opened 50 at a time."""
    tabs = [PeerTab(server.room_url) for _ in range(clients)]
    await asyncio.gather(*(tab.connect() for tab in tabs))
    for start in range(0, clients, 50):
        await asyncio.gather(*(tab.open_room() for tab in tabs[start : start + 50]))
    return tabs
