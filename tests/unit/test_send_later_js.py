"""assets/send_later_core.js under Node (the venv's): a choice of the composer's clock menu asks the server to
schedule the box's text at a preset or the picked time, and nothing when the box is empty or no time was picked."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "send_later_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ laterProblem, laterRequest }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_a_preset_or_a_picked_time_asks_to_schedule_the_box_text():
    out = run("""
      out.preset = laterRequest("tomorrow", "see you", "2026-01-01T09:00");
      out.picked = laterRequest("pick", "see you", "2026-01-01T09:00");
    """)
    assert out == {"preset": ["see you", "tomorrow", ""], "picked": ["see you", "pick", "2026-01-01T09:00"]}


def test_an_empty_box_or_no_picked_time_asks_nothing_and_says_why():
    out = run("""
      out.empty = laterRequest("1h", "  ", "");
      out.unpicked = laterRequest("pick", "hi", "");
      out.emptyWhy = laterProblem("1h", " ", "");
      out.unpickedWhy = laterProblem("pick", "hi", "");
      out.fine = laterProblem("pick", "hi", "2026-01-01T09:00");
    """)
    assert out == {
        "empty": None,
        "unpicked": None,
        "emptyWhy": "Write the message first.",
        "unpickedWhy": "Choose a date and a time.",
        "fine": "",
    }
