"""Server processes on 127.0.0.1 with CPU and RSS sampling: the real app backend in production mode (the seed's
is in bench/peer.py)."""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server in its own session on a free 127.0.0.1 port: its process tree's CPU and RSS, its log, stop."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.peak_rss = 0

    def _tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's process tree so far."""
        total = 0.0
        for proc in self._tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    def rss(self) -> int:
        total = 0
        for proc in self._tree():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    async def sample_rss(self, interval: float = 0.1) -> None:
        """Track peak RSS until cancelled."""
        while True:
            self.peak_rss = max(self.peak_rss, self.rss())
            await asyncio.sleep(interval)

    def await_answer(self, path: str, timeout: float) -> None:
        """Poll `path` over HTTP until the server answers (raises if it exits or the time runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}{path}", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"server did not answer {path}; see {self.log_path}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=15)


class Backend(ServerProcess):
    """`reflex run --env prod --backend-only` against `database_url`: one granian worker, or
    `workers` of them sharing state and the room relay through `redis_url`."""

    def __init__(self, database_url: str, log_path: Path, redis_url: str = "", workers: int = 1) -> None:
        super().__init__(log_path)
        self.database_url = database_url
        self.redis_url = redis_url
        self.workers = workers
        self._sampler: asyncio.Task | None = None

    def start(self, timeout: float = 120) -> None:
        bin_dir = Path(sys.executable).parent
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "DATABASE_URL": self.database_url,
            # Uploaded files (the images scenario): the suite's folder when it set one (backends of one test
            # share it), else the run's throwaway folder beside the log; never the project (a PostgreSQL URL
            # is no folder: deriving one from it once made "postgresql+psycopg:/…" in the working tree).
            "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(self.log_path.parent / "uploads"),
            "REFLEX_USE_NPM": "1",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REDIS_URL": self.redis_url,
            "GRANIAN_WORKERS": str(self.workers),
            # A load test is not abuse: lift the per-user sending limit and the websocket's limits (every
            # client of the load comes from 127.0.0.1).
            "SEND_LIMITS": "100000 per second",
            "SOCKETS_PER_CLIENT": "1000000",
            "SOCKET_EVENT_LIMIT": "1000000 per second",
        }
        command = [str(bin_dir / "reflex"), "run", "--env", "prod", "--backend-only"]
        command += ["--backend-host", "127.0.0.1", "--backend-port", str(self.port), "--loglevel", "warning"]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.await_answer("/ping", timeout)

    def profile(self, seconds: float, out: Path) -> subprocess.Popen:
        """Sample the backend's Python stacks with py-spy for `seconds` (collapsed stacks in `out`)."""
        py_spy = Path(sys.executable).parent / "py-spy"
        command = [str(py_spy), "record", "--pid", str(self.process.pid), "--subprocesses", "--nonblocking"]
        command += ["--duration", str(int(seconds)), "--rate", "200", "--format", "raw", "--output", str(out)]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        """kill -9 the whole backend: no shutdown, no flush (crash tests)."""
        os.killpg(self.process.pid, 9)
        self.process.wait(timeout=15)
