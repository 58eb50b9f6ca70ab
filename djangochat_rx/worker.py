"""The gunicorn worker class the backend runs in with one worker (rxconfig.py names it): uvicorn's, with
websocket compression (permessage-deflate) off.

Every browser offers permessage-deflate, and uvicorn accepts it by default: each tab's socket then keeps a
zlib compressor and decompressor of its own (~150 KB) and every delivery is compressed once per socket.
Measured with a harness that offers it as browsers do (bench.run, N = 200): 300 KB of server memory per
tab instead of 155, and ~40 % more server CPU per message, to save bytes on frames of a few hundred.
"""

from uvicorn.workers import UvicornH11Worker


class Worker(UvicornH11Worker):
    CONFIG_KWARGS = {**UvicornH11Worker.CONFIG_KWARGS, "ws_per_message_deflate": False}
