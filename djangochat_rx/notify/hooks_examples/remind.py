"""`/remind me in 10m TEXT` (units s, m, h): the remind bot (remind-bot) says at once when, in UTC, and then,
when the time comes, posts "@alice reminder: TEXT" in the room, which mentions (and notifies) alice.

The timers live in the memory of the worker that took the command: a restart forgets every reminder not yet
due. A reminder is at most MAX_DELAY ahead, so what a restart can lose stays small.
"""

import asyncio
import re
from datetime import UTC, datetime, timedelta

from djangochat_rx.notify.hooks import HookMessage, command, reply

UNITS = {"s": 1, "m": 60, "h": 3600}
# The longest wait accepted: in-memory timers are not the place for next week's reminders.
MAX_DELAY = timedelta(hours=24)
USAGE = "Usage: /remind me in 10m TEXT (s, m or h; at most 24h)"
_ASKED = re.compile(r"me\s+in\s+(\d{1,6})\s*([smh])\s+(\S.*)", re.DOTALL | re.IGNORECASE)


def parse(text: str) -> tuple[timedelta, str] | None:
    """The delay and the reminder's text of "me in 10m TEXT"; None when it does not read that way or is too far."""
    found = _ASKED.fullmatch(text.strip())
    if found is None:
        return None
    delay = timedelta(seconds=int(found[1]) * UNITS[found[2].lower()])
    return (delay, found[3].strip()) if timedelta(0) < delay <= MAX_DELAY else None


@command("/remind", usage="me in 10m TEXT", help="Remind you in this room after a while (s, m or h)")
async def remind(message: HookMessage) -> str:
    """Start the timer (on this worker's event loop) and say when it will go off."""
    asked = parse(message.text)
    if asked is None:
        return USAGE
    delay, text = asked
    due = datetime.now(UTC) + delay
    asyncio.get_running_loop().call_later(delay.total_seconds(), reply, f"@{message.author} reminder: {text}")
    return f"OK {message.author}, I will remind you at {due:%H:%M:%S} UTC ({due:%Y-%m-%d})."
