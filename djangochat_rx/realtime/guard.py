"""Limits on the websocket itself, which Reflex does not have: sockets per client address (an IPv6 address by
its /64, throttle.client_key) and events per socket (the `limits` library, counted on this worker, where the
socket lives). Over the event budget an event is dropped unread (a person never gets there; a script flooding
handlers, or the frontend-exception handler's logs, does); over the address budget the handshake is refused."""

import functools
import logging
from collections import Counter
from typing import Any

from limits import parse
from limits.strategies import FixedWindowRateLimiter
from reflex_base.constants import RouteVar

from djangochat_rx import settings
from djangochat_rx.infra.throttle import UnsweptMemoryStorage, client_key

logger = logging.getLogger(__name__)
_limit = functools.cache(parse)


class SocketGuard:
    """Counts sockets by client address and events by socket on one worker's namespace (`install`)."""

    def __init__(self) -> None:
        self._events = FixedWindowRateLimiter(UnsweptMemoryStorage())
        self._per_client: Counter[str] = Counter()
        self._client_of: dict[str, str] = {}
        self.dropped: Counter[str] = Counter()

    def install(self, namespace: Any) -> None:
        """Wrap `namespace`'s connect, event and disconnect handlers (python-socketio looks them up by name)."""
        on_connect, on_event, on_disconnect = namespace.on_connect, namespace.on_event, namespace.on_disconnect

        async def connect(sid: str, environ: dict, auth: Any = None) -> Any:
            client = client_key(namespace._build_static_router_data(sid, environ)[RouteVar.CLIENT_IP])
            if self._per_client[client] >= settings.SOCKETS_PER_CLIENT:
                logger.warning("refused a socket: %s has %d open", client, self._per_client[client])
                raise ConnectionRefusedError("Too many connections from this address.")
            self._per_client[client] += 1
            self._client_of[sid] = client
            try:
                return await on_connect(sid, environ, auth)
            except BaseException:
                self._release(sid)
                raise

        async def event(sid: str, data: Any) -> Any:
            if not self._events.hit(_limit(settings.SOCKET_EVENT_LIMIT), sid):
                self.dropped[sid] += 1
                if self.dropped[sid] == 1:
                    logger.warning("socket %s is over its event budget (%s)", sid, settings.SOCKET_EVENT_LIMIT)
                return None
            return await on_event(sid, data)

        def disconnect(sid: str, *reason: Any) -> Any:
            self._release(sid)
            self._events.clear(_limit(settings.SOCKET_EVENT_LIMIT), sid)
            self.dropped.pop(sid, None)
            return on_disconnect(sid, *reason)

        namespace.on_connect, namespace.on_event, namespace.on_disconnect = connect, event, disconnect

    def _release(self, sid: str) -> None:
        client = self._client_of.pop(sid, None)
        if client is not None:
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]


guard = SocketGuard()
