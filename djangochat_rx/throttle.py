"""Rate limits (the `limits` library, moving windows): login per account and per client,
registration per client, and sending per user. In memory, or in Redis when REDIS_URL is set so
that every worker counts against the same budget."""

import math
import time
from functools import cache

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from djangochat_rx import settings


class Throttled(Exception):
    """Over a limit; the message is safe to show on the page."""


LOGIN_PER_ACCOUNT = parse(settings.LOGIN_LIMIT_PER_ACCOUNT)
LOGIN_PER_CLIENT = parse(settings.LOGIN_LIMIT_PER_CLIENT)
REGISTER_PER_CLIENT = parse(settings.REGISTER_LIMIT_PER_CLIENT)
SEND_LIMITS = [parse(limit) for limit in settings.SEND_LIMITS.split(";")]


@cache
def _limiter() -> MovingWindowRateLimiter:
    if settings.REDIS_URL:
        storage = storage_from_string(f"async+{settings.REDIS_URL}", implementation="redispy")
    else:
        storage = storage_from_string("async+memory://")
    return MovingWindowRateLimiter(storage)


async def _minutes_left(item: RateLimitItem, key: str) -> int:
    stats = await _limiter().get_window_stats(item, key)
    return max(1, math.ceil((stats.reset_time - time.time()) / 60))


async def _too_many_attempts(item: RateLimitItem, key: str) -> Throttled:
    minutes = await _minutes_left(item, key)
    return Throttled(f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}.")


async def before_login(username_key: str, client: str) -> None:
    """Refuse a login attempt while the account or the client is over its budget.

    The account budget is keyed by the typed name whether or not such a user exists, so the answer
    tells nothing about which accounts exist."""
    if not await _limiter().test(LOGIN_PER_ACCOUNT, username_key):
        raise await _too_many_attempts(LOGIN_PER_ACCOUNT, username_key)
    if not await _limiter().hit(LOGIN_PER_CLIENT, client):
        raise await _too_many_attempts(LOGIN_PER_CLIENT, client)


async def login_failed(username_key: str) -> None:
    """Count a failed login against the account."""
    await _limiter().hit(LOGIN_PER_ACCOUNT, username_key)


async def login_succeeded(username_key: str) -> None:
    """A successful login clears the account's failures."""
    await _limiter().clear(LOGIN_PER_ACCOUNT, username_key)


async def before_register(client: str) -> None:
    """Refuse a registration attempt while the client is over its budget."""
    if not await _limiter().hit(REGISTER_PER_CLIENT, client):
        raise await _too_many_attempts(REGISTER_PER_CLIENT, client)


async def before_send(user_id: int) -> None:
    """Refuse a message while the user is over the burst or the sustained sending rate."""
    for item in SEND_LIMITS:
        if not await _limiter().hit(item, str(user_id)):
            raise Throttled("You are sending too fast. Wait a few seconds and press Send again.")
