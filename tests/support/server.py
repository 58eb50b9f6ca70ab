"""The real app backend in this process (no frontend build), served by uvicorn on a free port."""

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from djangochat_rx.infra.worker import Worker


@contextmanager
def running_backend() -> Iterator[str]:
    """Serve the app's ASGI backend on 127.0.0.1 and yield its base URL."""
    from reflex_base.environment import environment

    environment.REFLEX_SKIP_COMPILE.set(True)
    from djangochat_rx.djangochat_rx import app

    server = uvicorn.Server(
        uvicorn.Config(app(), host="127.0.0.1", port=0, log_level="warning", lifespan="on", **Worker.CONFIG_KWARGS)
    )
    loop = asyncio.new_event_loop()
    _loops.append(loop)
    thread = threading.Thread(target=lambda: loop.run_until_complete(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("backend failed to start")
        threading.Event().wait(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        _loops.remove(loop)


_loops: list[asyncio.AbstractEventLoop] = []


async def on_backend(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run `coroutine` on the in-process backend's event loop (where realtime delivers) and return its result."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, _loops[-1]))
