"""bcrypt runs on its own threads: a burst of password checks never takes the threads database calls need."""

import asyncio
import threading

from djangochat_rx import db


async def test_password_checks_run_on_the_bcrypt_pool_and_queries_do_not(monkeypatch):
    seen: dict[str, str] = {}
    checking = threading.Event()
    release = threading.Event()

    def slow_check(_db, name: str) -> str:
        seen[name] = threading.current_thread().name
        checking.set()
        release.wait(5)
        return name

    def query(_db) -> str:
        return threading.current_thread().name

    monkeypatch.setattr(db, "call", lambda fn, *args: fn(None, *args))
    # Fill every bcrypt thread, then a database call still runs at once, on another thread.
    checks = [asyncio.ensure_future(db.run_hashing(slow_check, f"login {i}")) for i in range(4)]
    await asyncio.to_thread(checking.wait, 5)
    query_thread = await asyncio.wait_for(db.run(query), timeout=2)
    release.set()
    await asyncio.gather(*checks)
    assert all(name.startswith("bcrypt") for name in seen.values()) and len(seen) == 4
    assert not query_thread.startswith("bcrypt")
