"""The production start with one worker (`reflex run --env prod`, gunicorn + uvicorn): our worker class is
the one serving, so a browser's offer of websocket compression is declined (djangochat_rx/infra/worker.py)."""

import os
import uuid

import aiohttp

from bench.server import Backend


async def test_a_browsers_offer_of_permessage_deflate_is_declined(tmp_path):
    backend = Backend(os.environ["DATABASE_URL"], tmp_path / "backend.log")
    backend.start()
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{backend.url}/_event/?token={uuid.uuid4()}&EIO=4&transport=websocket"
            # What Chromium sends: "permessage-deflate; client_max_window_bits".
            async with session.ws_connect(url, compress=15) as socket:
                opened = await socket.receive_str(timeout=10)  # engine.io's "open" packet: the socket works
                assert opened.startswith("0{") and '"sid"' in opened
                assert socket.compress == 0
    finally:
        backend.stop()
