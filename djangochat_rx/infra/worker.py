"""The gunicorn worker class the backend runs in with one worker (rxconfig.py names it): uvicorn's, on uvloop's
event loop, with websocket compression (permessage-deflate) off.

uvloop, measured in one series (bench fanout N = 50, three runs each, alternating): p99 11.1 ms against 13.0
on asyncio's loop, and 10 % less server CPU. The websocket protocol stays wsproto's, named so that installing
the `websockets` package (which uvicorn would pick instead) changes nothing: that one was no faster here.

Every browser offers permessage-deflate, and uvicorn accepts it by default: each tab's socket then keeps a
zlib compressor and decompressor of its own (~150 KB) and every delivery is compressed once per socket.
Measured with a harness that offers it as browsers do (bench.run, N = 200): 300 KB of server memory per
tab instead of 155, and ~40 % more server CPU per message, to save bytes on frames of a few hundred.
"""

from uvicorn.workers import UvicornH11Worker


class Worker(UvicornH11Worker):
    CONFIG_KWARGS = {
        **UvicornH11Worker.CONFIG_KWARGS,
        "loop": "uvloop",
        "ws": "wsproto",
        "ws_per_message_deflate": False,
    }
