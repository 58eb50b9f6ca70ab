"""The rate limits count in Redis when REDIS_URL is set, so every worker shares one budget."""

import pytest
import redis

from bench.services import redis_server
from djangochat_rx import settings, throttle


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
