"""Test-wide setup: a throwaway database for the in-process app, fast (but real) bcrypt."""

import os
import tempfile
from pathlib import Path

# Before anything imports djangochat_rx.settings: the app under test gets its own database file.
_TMP = Path(tempfile.mkdtemp(prefix="djangochat-tests-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'app.db'}"
# Real bcrypt at its lowest cost so the suite stays quick; tests/unit checks the production cost.
os.environ["BCRYPT_ROUNDS"] = "4"
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
