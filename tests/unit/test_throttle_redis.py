"""The rate limits count in Redis when REDIS_URL is set, so every worker shares one budget."""

import pytest
import redis

from bench.services import redis_server
from djangochat_rx import settings
from djangochat_rx.infra import throttle


@pytest.fixture
def redis_limits(monkeypatch):
    with redis_server() as url:
        monkeypatch.setattr(settings, "REDIS_URL", url)
        throttle._limiter.cache_clear()
        yield url
        throttle._limiter.cache_clear()


async def test_send_budget_is_kept_in_redis(redis_limits, monkeypatch):
    from limits import parse

    monkeypatch.setattr(throttle, "SEND_LIMITS", [parse("2 per minute")])
    await throttle.before_send(42)
    await throttle.before_send(42)
    with pytest.raises(throttle.Throttled, match="sending too fast"):
        await throttle.before_send(42)
    assert any(b"42" in key for key in redis.from_url(redis_limits).keys("*"))


async def test_parallel_logins_for_one_account_are_charged_atomically_in_redis(redis_limits, monkeypatch):
    """The budget is charged before bcrypt in one atomic step: of 20 parallel attempts 5 go through."""
    import asyncio

    from limits import parse

    monkeypatch.setattr(throttle, "LOGIN_PER_ACCOUNT", parse("5 per 30 minutes"))
    monkeypatch.setattr(throttle, "LOGIN_PER_CLIENT", parse("1000 per minute"))
    results = await asyncio.gather(
        *(throttle.before_login("alice", f"client{n}") for n in range(20)), return_exceptions=True
    )
    assert sum(result is None for result in results) == 5
    assert all(isinstance(result, throttle.Throttled) for result in results if result is not None)
