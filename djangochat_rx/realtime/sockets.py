"""The app's socket.io server seen as named groups of sockets, and the one way to write to them.

Encode-once (Phoenix's "fastlane"): a change for a group is one Reflex state delta, serialised once by
python-socketio and written to every socket of the group. Per-tab state is never loaded, locked or
diffed for it; the vars written this way stay at their defaults in the tabs' backend state.
"""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import reflex as rx
from reflex.event import Event
from reflex.state import StateUpdate
from reflex_base.constants.state import FIELD_MARKER

Target = tuple[type[rx.State], str]

ROOM = "room:"
# The sockets whose page shows a message's thread (its replies, live).
THREAD = "thread:"
SESSION = "session:"
USER = "user:"
LOBBY = "lobby"
OWN = "own:"
# Every logged-in socket (what concerns everyone who sees names: a new avatar).
EVERYONE = "everyone"
# The sockets whose page shows user groups (the Groups page, a group's page): read again when one changes.
GROUPS = "groups"


class Sockets:
    """Group membership (socket.io rooms) and emits of vars by role (see `bind`)."""

    def __init__(self) -> None:
        self._app: rx.App | None = None
        self._targets: dict[str, tuple[str, str]] = {}
        self._on_disconnect: list[Callable[[str], Coroutine[Any, Any, None]]] = []
        self._hooked = False
        self._tasks: set[asyncio.Future] = set()

    def bind(self, app: rx.App, **targets: Target) -> None:
        """Write through `app`'s socket server; `targets` name the vars by role (role=(State, var))."""
        self._app = app
        self._targets = {role: (state.get_full_name(), name + FIELD_MARKER) for role, (state, name) in targets.items()}

    @property
    def bound(self) -> bool:
        return self._app is not None and self._app.event_namespace is not None

    def on_disconnect(self, callback: Callable[[str], Coroutine[Any, Any, None]]) -> None:
        """Run `callback(sid)` whenever a socket goes away."""
        self._on_disconnect.append(callback)

    @property
    def _namespace(self):
        namespace = self._app.event_namespace if self._app else None
        if namespace is None:
            raise RuntimeError("realtime is not bound to a running app")
        if not self._hooked:
            self._hooked = True
            original = namespace.on_disconnect

            def disconnected(sid: str, *reason: Any) -> Any:
                for callback in self._on_disconnect:
                    self.spawn(callback(sid))
                return original(sid)

            namespace.on_disconnect = disconnected
        return namespace

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run `coroutine` in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def groups_of(self, sid: str) -> list[str]:
        namespace = self._namespace
        return list(namespace.server.rooms(sid, namespace=namespace.namespace))

    async def enter(self, sid: str, group: str) -> None:
        """Put socket `sid` in `group` (nothing if it has gone meanwhile)."""
        with contextlib.suppress(KeyError):  # python-socketio knows no such socket any more
            await self._namespace.server.enter_room(sid, group, namespace=self._namespace.namespace)

    async def leave(self, sid: str, group: str) -> None:
        await self._namespace.server.leave_room(sid, group, namespace=self._namespace.namespace)

    def groups(self, prefix: str) -> list[str]:
        """The groups on this worker whose names start with `prefix`."""
        namespace = self._namespace
        groups = namespace.server.manager.rooms.get(namespace.namespace, {})
        return [group for group in groups if group and group.startswith(prefix)]

    def connected(self, sid: str) -> bool:
        """Whether socket `sid` is still connected to this worker."""
        namespace = self._namespace
        return namespace.server.manager.is_connected(sid, namespace.namespace)

    def members(self, group: str) -> list[str]:
        namespace = self._namespace
        return [sid for sid, _eio in namespace.server.manager.get_participants(namespace.namespace, group)]

    def has_members(self, group: str) -> bool:
        if not self.bound:
            return False
        namespace = self._namespace
        return next(iter(namespace.server.manager.get_participants(namespace.namespace, group)), None) is not None

    async def emit(
        self, fields: dict[str, Any], to: str, skip: list[str] | None = None, events: list[Event] | None = None
    ) -> None:
        """Send `fields` (by role) as one state delta to a socket or a group (but not to the sockets `skip`), with
        `events` for the pages to run after it."""
        delta: dict[str, dict[str, Any]] = {}
        for role, value in fields.items():
            state, name = self._targets[role]
            delta.setdefault(state, {})[name] = value
        update = StateUpdate(delta=delta, events=events or [])
        await self._namespace.emit("event", update, to=to, skip_sid=skip or None)

    async def ask(self, events: list[Event], to: str) -> None:
        """Ask every page in a group to run these state events (they come back as the pages' own events)."""
        await self._namespace.emit("event", StateUpdate(events=events), to=to)


sockets = Sockets()
