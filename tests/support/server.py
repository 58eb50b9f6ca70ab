"""The real app backend in this process (no frontend build), served by uvicorn on a free port."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn


@contextmanager
def running_backend() -> Iterator[str]:
    """Serve the app's ASGI backend on 127.0.0.1 and yield its base URL."""
    from reflex_base.environment import environment

    environment.REFLEX_SKIP_COMPILE.set(True)
    from djangochat_rx.djangochat_rx import app

    server = uvicorn.Server(
        uvicorn.Config(app(), host="127.0.0.1", port=0, log_level="warning", ws="wsproto", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
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
