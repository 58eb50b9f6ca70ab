"""Test-wide setup: a throwaway database for the in-process app, fast (but real) bcrypt."""

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports djangochat_rx.settings: the app under test gets its own database file.
_TMP = Path(tempfile.mkdtemp(prefix="djangochat-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
# Real bcrypt at its lowest cost so the suite stays quick; tests/unit checks the production cost.
os.environ["BCRYPT_ROUNDS"] = "4"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session", autouse=True)
def migrated_app_database() -> None:
    """The app's test database at the newest schema, for tests that write to it before a backend starts."""
    from djangochat_rx import db

    db.migrate()
