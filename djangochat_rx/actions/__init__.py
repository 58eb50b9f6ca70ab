"""Use cases: every change to the chat is one plain function here (Zulip's zerver/actions/ is the model).

An action takes a database session and plain values, runs the change in its transaction, works out from
the database who must hear of it, and returns an `Outcome`: its result and the typed events
(djangochat_rx/events.py) to deliver. `perform` runs an action off the event loop and publishes its
events after the commit; state handlers, the admin area and the CLI all change things this way, and
tests assert an action's events without any socket.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from djangochat_rx import db, hooks, push
from djangochat_rx.events import Event, MessageSent
from djangochat_rx.realtime import hub
from djangochat_rx.realtime.sockets import sockets

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an action did (`value`) and who must be told (`events`, delivered in order after the commit)."""

    value: T
    events: list[Event] = field(default_factory=list)


async def perform(action: Callable[..., Outcome[T]], *args: Any) -> T:
    """Run `action(session, *args)` on the database's thread pool, then publish its events; its value."""
    outcome = await db.run(action, *args)
    await publish(outcome.events)
    return outcome.value


@asynccontextmanager
async def performing(action: Callable[..., Outcome[T]], *args: Any) -> AsyncIterator[T]:
    """`perform` with the publishing held until the block ends, so a handler answers its own tab first: the
    sender's box is cleared before the sender's message reaches the sender's log, and a next message
    typed as soon as it appears is not wiped by that late clear. The events go out even if the block fails."""
    outcome = await db.run(action, *args)
    try:
        yield outcome.value
    finally:
        await publish(outcome.events)


async def perform_hashing(action: Callable[..., Outcome[T]], *args: Any) -> T:
    """`perform` for an action that hashes or checks a password: on bcrypt's own pool (db.run_hashing)."""
    outcome = await db.run_hashing(action, *args)
    await publish(outcome.events)
    return outcome.value


async def publish(events: list[Event]) -> None:
    """Deliver committed events: to every socket that must hear of them (realtime/, every worker), and
    in the background, from this worker only, as Web Push to the browsers of people they call for (push.py)
    and to the Python hooks that hear new messages (hooks.py)."""
    await hub.publish(events)
    if any(isinstance(event, MessageSent) and event.calls_for_push(push.loud_rooms) for event in events):
        sockets.spawn(push.notify(events))
    hooks.heard(events)
