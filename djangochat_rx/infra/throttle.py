"""Rate limits (the `limits` library, moving windows): login per account, per known device and per
client, password checks per account, registration per client, and sending per user. In memory, or in
Redis when REDIS_URL is set so that every worker counts against the same budget.

Every budget is charged *before* the bcrypt work it guards (`hit` is atomic in both storages), so
parallel attempts cannot all pass a check made before any of them is counted."""

import bisect
import ipaddress
import math
import time
from functools import cache

import limits.aio.storage
import limits.storage
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from djangochat_rx import settings
from djangochat_rx.domain.wording import counted

# How often the in-memory budgets forget the keys whose windows have passed (see SweptMemoryStorage).
SWEEP_SECONDS = 60.0


class Throttled(Exception):
    """Over a limit; the message is safe to show on the page."""


LOGIN_PER_ACCOUNT = parse(settings.LOGIN_LIMIT_PER_ACCOUNT)
LOGIN_PER_CLIENT = parse(settings.LOGIN_LIMIT_PER_CLIENT)
LOGIN_PER_DEVICE = parse(settings.LOGIN_LIMIT_PER_DEVICE)
PASSWORD_CHECKS = parse(settings.PASSWORD_CHECK_LIMIT)
SECOND_FACTOR_CODES = parse(settings.SECOND_FACTOR_LIMIT)
SECOND_FACTOR_PER_CLIENT = parse(settings.SECOND_FACTOR_LIMIT_PER_CLIENT)
REGISTER_PER_CLIENT = parse(settings.REGISTER_LIMIT_PER_CLIENT)
SEND_LIMITS = [parse(limit) for limit in settings.SEND_LIMITS.split(";")]
CREATE_LIMITS = [parse(limit) for limit in settings.CREATE_LIMITS.split(";")]
SEARCH_LIMITS = [parse(limit) for limit in settings.SEARCH_LIMITS.split(";")]
EMAIL_LINKS = [parse(limit) for limit in settings.EMAIL_LINK_LIMITS.split(";")]
WEBHOOK_LIMITS = [parse(limit) for limit in settings.WEBHOOK_LIMITS.split(";")]
API_LIMITS = [parse(limit) for limit in settings.API_LIMITS.split(";")]
URGENT_LIMITS = [parse(limit) for limit in settings.URGENT_LIMITS.split(";")]


class SweptMemoryStorage(limits.aio.storage.MemoryStorage):
    """limits' in-memory storage (one worker), cleaned up another way. The library's schedules a task at
    every hit that walks every key and hops to a thread for each one holding moving-window entries: every
    message sent cost a task and, per user who sent or logged in lately, a trip through the thread pool
    that the database calls use. Here a hit keeps its key's entries to its limit (the older ones never
    decide anything), and every SWEEP_SECONDS a hit first drops what has expired, on the event loop,
    without a task or a thread."""

    def __init__(self, uri: str | None = None, **options: str) -> None:
        super().__init__(uri, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    async def _MemoryStorage__schedule_expiry(self) -> None:  # the library's per-hit cleanup, replaced
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            self.sweep()

    def sweep(self) -> None:
        """Forget the entries and counters whose windows have passed."""
        now = time.time()
        for key, events in list(self.events.items()):  # newest first
            del events[bisect.bisect_left(events, -now, key=lambda entry: -entry.expiry) :]
            if not events:
                self.events.pop(key, None)
                self.locks.pop(key, None)
        for key, expiry in list(self.expirations.items()):
            if expiry <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        acquired = await super().acquire_entry(key, limit, expiry, amount)
        del self.events.get(key, [])[limit:]  # a key is one limit's (RateLimitItem.key_for)
        return acquired


class UnsweptMemoryStorage(limits.storage.MemoryStorage):
    """limits' synchronous in-memory storage without its cleanup thread, for counters their owner clears
    (realtime/guard.py: a socket's, when it goes). The library's starts a new thread 10 ms after a hit
    whenever the last one has ended, a thread per burst of events on a busy worker, that walks every key."""

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library's per-hit cleanup thread, left out
        pass


@cache
def _limiter() -> MovingWindowRateLimiter:
    if settings.REDIS_URL:
        storage = storage_from_string(f"async+{settings.REDIS_URL}", implementation="redispy")
    else:
        storage = SweptMemoryStorage()
    return MovingWindowRateLimiter(storage)


async def _minutes_left(item: RateLimitItem, key: str) -> int:
    stats = await _limiter().get_window_stats(item, key)
    return max(1, math.ceil((stats.reset_time - time.time()) / 60))


async def _too_many_attempts(item: RateLimitItem, key: str) -> Throttled:
    minutes = await _minutes_left(item, key)
    return Throttled(f"Too many attempts, try again in {counted(minutes, 'minute')}.")


async def before_login(username_key: str, client: str, device: str | None = None) -> None:
    """Charge a login attempt to its budgets, refusing it when one is spent: the client's, and the
    account's, or instead of the account's the known device's (`device`, devices.recognise) when this
    browser logged in to the account before, so that strangers' guesses cannot lock its owner out.

    The account budget is keyed by the typed name whether or not such a user exists, so the answer
    tells nothing about which accounts exist."""
    client = client_key(client)
    if not await _limiter().hit(LOGIN_PER_CLIENT, client):
        raise await _too_many_attempts(LOGIN_PER_CLIENT, client)
    item, key = (LOGIN_PER_DEVICE, device) if device else (LOGIN_PER_ACCOUNT, username_key)
    if not await _limiter().hit(item, key):
        raise await _too_many_attempts(item, key)


async def login_succeeded(username_key: str, device: str | None = None) -> None:
    """A successful login clears the failures it was charged with."""
    item, key = (LOGIN_PER_DEVICE, device) if device else (LOGIN_PER_ACCOUNT, username_key)
    await _limiter().clear(item, key)


async def before_password_check(user_id: int) -> None:
    """Charge a check of the current password (account page) to the account's budget, refusing it when spent:
    a stolen session cannot guess the password on."""
    key = f"password:{user_id}"
    if not await _limiter().hit(PASSWORD_CHECKS, key):
        raise await _too_many_attempts(PASSWORD_CHECKS, key)


async def password_check_succeeded(user_id: int) -> None:
    await _limiter().clear(PASSWORD_CHECKS, f"password:{user_id}")


async def before_second_factor(user_id: int, client: str) -> None:
    """Charge a second-factor code (at sign-in, enrolling, turning it off) to the account's budget and the
    client's, refusing it when one is spent: a thief who has the password cannot guess the code on."""
    client = f"code-from:{client_key(client)}"
    if not await _limiter().hit(SECOND_FACTOR_PER_CLIENT, client):
        raise await _too_many_attempts(SECOND_FACTOR_PER_CLIENT, client)
    key = f"code:{user_id}"
    if not await _limiter().hit(SECOND_FACTOR_CODES, key):
        raise await _too_many_attempts(SECOND_FACTOR_CODES, key)


async def before_passkey_sign_in(client: str) -> None:
    """Charge a passwordless sign-in with a passkey to the client's login budget (the account is not known
    before the passkey is checked)."""
    key = f"passkey-from:{client_key(client)}"
    if not await _limiter().hit(LOGIN_PER_CLIENT, key):
        raise await _too_many_attempts(LOGIN_PER_CLIENT, key)


async def second_factor_succeeded(user_id: int) -> None:
    await _limiter().clear(SECOND_FACTOR_CODES, f"code:{user_id}")


async def before_register(client: str) -> None:
    """Refuse a registration attempt while the client is over its budget."""
    client = client_key(client)
    if not await _limiter().hit(REGISTER_PER_CLIENT, client):
        raise await _too_many_attempts(REGISTER_PER_CLIENT, client)


async def _within(items: list[RateLimitItem], key: str, refusal: str, cost: int = 1) -> None:
    """Charge `key` `cost` to every budget of `items`; Throttled(`refusal`) at the first one spent."""
    for item in items:
        if not await _limiter().hit(item, key, cost=cost):
            raise Throttled(refusal)


async def before_send(user_id: int, messages: int = 1) -> None:
    """Refuse a message (or `messages` at once: a forwarding's copies and comment) while the user is over the burst
    or the sustained sending rate."""
    refusal = "You are sending too fast. Wait a few seconds and press Send again."
    await _within(SEND_LIMITS, str(user_id), refusal, messages)


async def before_urgent(user_id: int) -> None:
    """Charge a direct message that notifies now, past do not disturb (URGENT_LIMITS: a few a day)."""
    await _within(URGENT_LIMITS, f"urgent:{user_id}", "You have used today's urgent notifications. Send it normally.")


async def before_create(user_id: int) -> None:
    """Refuse a new room or direct conversation while the user is over the burst or the daily budget."""
    await _within(CREATE_LIMITS, f"create:{user_id}", "You are creating rooms too fast. Try again later.")


async def before_search(user_id: int) -> None:
    """Refuse a search while the user is over the searching rate."""
    await _within(SEARCH_LIMITS, f"search:{user_id}", "You are searching too fast. Wait a moment and search again.")


async def before_email_link(client: str, target: str) -> None:
    """Charge a "Forgot password" request or an address check to the client and to what it names (a
    username or address, whether or not it exists: the answer says nothing of that)."""
    refusal = "Too many emails were asked for. Try again in an hour."
    await _within(EMAIL_LINKS, f"mail-from:{client_key(client)}", refusal)
    await _within(EMAIL_LINKS, f"mail-to:{target.strip().casefold()}", refusal)


async def before_webhook(webhook_id: int) -> None:
    """Charge a post to the webhook's budget (a loop in someone's CI must not flood the room)."""
    await _within(WEBHOOK_LIMITS, f"webhook:{webhook_id}", "This webhook is posting too fast. Try again later.")


async def before_api_call(user_id: int) -> None:
    """Charge a REST API call to the budget of the token's account, however many tokens it has (a runaway
    script must not load the server)."""
    await _within(API_LIMITS, f"api:{user_id}", "Too many API calls for this account. Try again later.")


def client_key(address: str) -> str:
    """The key a client address is counted under: an IPv4 address itself, an IPv6 address by its /64 (one
    customer's whole network, RFC 6177), so one network cannot spread over 2^64 budgets."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


SIGNUP_LINKS_PER_CLIENT = parse(settings.SIGNUP_LINK_LIMIT_PER_CLIENT)


async def before_signup_link(client: str, address: str) -> None:
    """Charge a sign-up link by address (open sign-up for one domain) to the client, on a budget that lets an
    office behind one address sign up together, and to the address, like any emailed link."""
    refusal = "Too many emails were asked for. Try again in an hour."
    await _within([SIGNUP_LINKS_PER_CLIENT], f"signup-from:{client_key(client)}", refusal)
    await _within(EMAIL_LINKS, f"mail-to:{address.strip().casefold()}", refusal)


async def before_create_webhook(user_id: int) -> None:
    """Charge a new webhook (and its bot account) to the user's budget for making rooms (CREATE_LIMITS)."""
    await _within(CREATE_LIMITS, f"create:{user_id}", "You are making webhooks too fast. Try again later.")


UNSUBSCRIBE_PER_CLIENT = [parse(limit) for limit in settings.UNSUBSCRIBE_LIMITS_PER_CLIENT.split(";")]


async def before_unsubscribe(client: str) -> None:
    """Charge an anonymous unsubscribe POST to its client's budget (a script must not keep the database busy)."""
    await _within(UNSUBSCRIBE_PER_CLIENT, f"unsubscribe:{client_key(client)}", "Too many requests. Try again later.")


PICTURE_LIMITS = [parse(limit) for limit in settings.PICTURE_LIMITS.split(";")]


async def before_picture_change(user_id: int) -> None:
    """Charge a new picture or a removal to the user's budget (each change is a frame to every logged-in tab)."""
    await _within(PICTURE_LIMITS, f"picture:{user_id}", "You are changing your picture too often. Try again later.")


CUSTOM_EMOJI_LIMITS = [parse(limit) for limit in settings.CUSTOM_EMOJI_LIMITS.split(";")]


async def before_emoji_change(user_id: int) -> None:
    """Charge adding or removing a custom emoji to the user's budget (each change is a frame to every logged-in
    tab), before the upload is read."""
    await _within(CUSTOM_EMOJI_LIMITS, f"emoji:{user_id}", "You are changing custom emoji too often. Try again later.")


USER_GROUP_LIMITS = [parse(limit) for limit in settings.USER_GROUP_LIMITS.split(";")]


async def before_group_change(user_id: int) -> None:
    """Charge a change to a user group (create, rename, describe, delete, add or remove someone, join, leave) to
    the user's budget (each reads every open group page again)."""
    await _within(USER_GROUP_LIMITS, f"groups:{user_id}", "You are changing groups too often. Try again later.")


SSO_PER_CLIENT = [parse(limit) for limit in settings.SSO_LIMITS_PER_CLIENT.split(";")]


async def before_sso(client: str) -> None:
    """Charge a single sign-on start or return to its client address's budget (each writes a row or fetches
    from the provider)."""
    await _within(SSO_PER_CLIENT, f"sso:{client_key(client)}", "Too many sign-ins from this address. Try again later.")


async def before_sso_link(user_id: int) -> None:
    """Charge a link started from the account page to the account's budget (the single sign-on rate, per account:
    each writes a one-time token)."""
    await _within(SSO_PER_CLIENT, f"sso-link:{user_id}", "Too many links started. Try again later.")
