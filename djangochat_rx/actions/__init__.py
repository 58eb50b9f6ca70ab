"""Use cases: every change to the chat is one plain function here (Zulip's zerver/actions/ is the model).

An action takes a database session and plain values, runs the change in its transaction, works out from
the database who must hear of it, and returns an `Outcome`: its result and the typed events
(djangochat_rx/domain/events.py) to deliver. `perform` runs an action off the event loop and publishes its
events after the commit; state handlers, the admin area and the CLI all change things this way, and
tests assert an action's events without any socket (tests/unit/test_actions.py names every action).

`publish` knows no channel: what happens after a commit (the sockets, Web Push, hooks, mail) subscribes at
start (subscribers.py), and nothing here imports it.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from djangochat_rx import db
from djangochat_rx.domain.events import Event, Mail

T = TypeVar("T")
# Hears a list of committed events (of the kinds it subscribed to); slow work it starts in the background.
Subscriber = Callable[[list[Any]], Awaitable[None]]

_subscribers: list[tuple[Subscriber, tuple[type, ...]]] = []


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an action did (`value`) and who must be told (`events`, delivered in order after the commit)."""

    value: T
    events: list[Event | Mail] = field(default_factory=list)


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


def subscribe(subscriber: Subscriber, kinds: Iterable[type]) -> None:
    """From now on hand `subscriber` the committed events of these kinds, after those subscribed before it
    (subscribers.register, at start); once, however often it subscribes."""
    if all(known != subscriber for known, _ in _subscribers):
        _subscribers.append((subscriber, tuple(kinds)))


async def publish(events: list[Event | Mail]) -> None:
    """Hand committed events to each subscriber in turn, those of the kinds it hears (none: it is not called)."""
    for subscriber, kinds in _subscribers:
        heard = [event for event in events if isinstance(event, kinds)]
        if heard:
            await subscriber(heard)
