"""Test-wide setup: a throwaway database for the in-process app, fast (but real) bcrypt."""

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports djangochat_rx.settings: the app under test gets its own database file, or with
# TEST_DATABASE=postgres (how `make test` runs tests/security a second time) a throwaway PostgreSQL server.
_TMP = Path(tempfile.mkdtemp(prefix="djangochat-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
# Uploaded files of the in-process app go there too, never into the project's .data/.
os.environ["UPLOAD_DIR"] = str(_TMP / "uploads")
if os.environ.get("TEST_DATABASE") == "postgres":
    import atexit
    import contextlib

    from bench.services import postgres_server

    _postgres = contextlib.ExitStack()
    os.environ["DATABASE_URL"] = _postgres.enter_context(postgres_server())
    atexit.register(_postgres.close)
# Real bcrypt at its lowest cost so the suite stays quick; tests/unit checks the production cost.
os.environ["BCRYPT_ROUNDS"] = "4"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# Every test connects from 127.0.0.1: per-client and sending budgets are raised for the suite;
# tests/security/ and tests/state/test_throttling.py put the real limits back where they test them.
os.environ["LOGIN_LIMIT_PER_CLIENT"] = "10000 per minute"
os.environ["SECOND_FACTOR_LIMIT_PER_CLIENT"] = "10000 per minute"
os.environ["REGISTER_LIMIT_PER_CLIENT"] = "10000 per minute"
os.environ["SEND_LIMITS"] = "10000 per second"
# Scheduled messages and reminders that fall due are carried out within a fifth of a second (actions/later.py).
os.environ["JOBS_SCAN_SECONDS"] = "0.2"
os.environ["QUIET_SCAN_SECONDS"] = "0.2"
os.environ["CREATE_LIMITS"] = "10000 per second"
os.environ["SEARCH_LIMITS"] = "10000 per second"
os.environ["EMAIL_LINK_LIMITS"] = "10000 per second"
os.environ["SOCKETS_PER_CLIENT"] = "100000"
os.environ["SOCKET_EVENT_LIMIT"] = "100000 per second"


@pytest.fixture(scope="session", autouse=True)
def migrated_app_database() -> None:
    """The app's test database at the newest schema, for tests that write to it before a backend starts."""
    from djangochat_rx import db
    from djangochat_rx.domain import signup

    db.migrate()
    # Tests register people freely; tests/state/test_joining.py and tests/unit/test_signup.py try the other modes.
    db.call(signup.set_mode, None, "open")


@pytest.fixture(scope="session", autouse=True)
def after_commit_subscribers() -> None:
    """What the app registers at start: committed events reach the sockets, push, hooks and mail."""
    from djangochat_rx.notify import subscribers

    subscribers.register()
