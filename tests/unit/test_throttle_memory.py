"""The rate limits' in-memory storages (one worker): they count as the library does, without its per-hit cleanup
task, thread hops and threads, and they still forget what has expired."""

import asyncio
import threading

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.strategies import FixedWindowRateLimiter

from djangochat_rx.infra import throttle


async def test_a_moving_window_refuses_the_hit_over_its_limit_and_frees_it_as_the_window_moves():
    storage = throttle.SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3 per minute")
    assert [await limiter.hit(item, "alice") for _ in range(4)] == [True, True, True, False]
    assert await limiter.hit(item, "bob")  # another key has its own budget
    for entry in storage.events[item.key_for("alice")]:
        entry.atime -= 61  # a minute later
    assert await limiter.hit(item, "alice")


async def test_a_key_keeps_no_more_entries_than_its_limit():
    storage = throttle.SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("5 per second")
    for _ in range(200):
        await limiter.hit(item, "alice")
        for entry in storage.events[item.key_for("alice")]:
            entry.atime -= 2  # each hit a window after the last: every one is allowed
    assert len(storage.events[item.key_for("alice")]) == 5


async def test_hits_start_no_task_and_no_thread():
    storage = throttle.SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("1000 per minute")
    await limiter.hit(item, "warm")
    tasks, threads = len(asyncio.all_tasks()), threading.active_count()
    for n in range(300):
        assert await limiter.hit(item, f"user-{n % 30}")
    assert len(asyncio.all_tasks()) == tasks
    assert threading.active_count() == threads


async def test_the_sweep_forgets_expired_entries_and_counters_and_keeps_live_ones(monkeypatch):
    monkeypatch.setattr(throttle, "SWEEP_SECONDS", 0.0)
    storage = throttle.SweptMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    item = parse("2 per minute")
    await limiter.hit(item, "old")
    await storage.incr("counter", expiry=60)
    for entry in storage.events[item.key_for("old")]:
        entry.expiry -= 120
    storage.expirations["counter"] -= 120
    await limiter.hit(item, "new")  # a hit after SWEEP_SECONDS sweeps first
    assert item.key_for("old") not in storage.events
    assert "counter" not in storage.storage and "counter" not in storage.expirations
    assert len(storage.events[item.key_for("new")]) == 1


def test_the_sockets_storage_counts_a_fixed_window_without_a_cleanup_thread():
    storage = throttle.UnsweptMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3 per minute")
    threads = threading.active_count()
    assert [limiter.hit(item, "sid-1") for _ in range(4)] == [True, True, True, False]
    for n in range(200):
        limiter.hit(item, f"sid-{n}")
    assert threading.active_count() <= threads  # the constructor's one timer may have ended since
    limiter.clear(item, "sid-1")
    assert item.key_for("sid-1") not in storage.storage
    assert limiter.hit(item, "sid-1")
