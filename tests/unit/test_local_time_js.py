"""assets/local_time_core.js under Node: the clock a message's time shows, in the reader's time zone."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "local_time_core.js"


def clock(iso: str, zone: str) -> str:
    script = (
        f"import {{ clock }} from {json.dumps(CORE.as_uri())};\nconsole.log(JSON.stringify(clock({json.dumps(iso)})));"
    )
    return run_js(script, env={"TZ": zone})


def test_a_time_shows_as_the_readers_clock_with_leading_zeros():
    assert clock("2026-12-07T08:05:09.123456+00:00", "UTC") == "08:05"
    assert clock("2026-12-07T08:05:09.123456+00:00", "Asia/Kolkata") == "13:35"
    assert clock("2026-12-07T23:59:00+00:00", "America/New_York") == "18:59"


def test_no_time_shows_nothing():
    assert clock("", "UTC") == ""
    assert clock("not a time", "UTC") == ""
