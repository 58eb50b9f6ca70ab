"""Jobs the running app repeats in the background (SQLite checkpoints, the session sweep)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def every(interval: float, job: Callable[[], Awaitable[Any]], name: str) -> AsyncIterator[None]:
    """While the block runs, await `job()` every `interval` seconds; a failure is logged and the next
    round tries again."""

    async def rounds() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await job()
            except Exception:
                logger.exception("%s failed", name)

    task = asyncio.create_task(rounds(), name=f"djangochat-{name}")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
