"""assets/draft_core.js under Node (the venv's): one unsent draft per room, and the counter under the message
box showing from 80 % of the server's limit (settings.MESSAGE_MAX_CHARS)."""

import json
from pathlib import Path

from djangochat_rx import settings
from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "draft_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ counter, draftKey }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_each_room_keeps_its_own_draft():
    out = run('out.a = draftKey("/rooms/a"); out.b = draftKey("/rooms/b");')
    assert out["a"] != out["b"]


def test_the_counter_shows_from_eighty_percent_and_marks_text_over_the_limit():
    limit = settings.MESSAGE_MAX_CHARS
    at = int(limit * 0.8)
    out = run(f"""
      out.quiet = counter({at}, {limit});
      out.shown = counter({at + 1}, {limit});
      out.full = counter({limit}, {limit});
      out.over = counter({limit + 1}, {limit});
    """)
    assert out == {
        "quiet": {"text": "", "over": False},
        "shown": {"text": f"{at + 1} / {limit}", "over": False},
        "full": {"text": f"{limit} / {limit}", "over": False},
        "over": {"text": f"{limit + 1} / {limit}", "over": True},
    }
