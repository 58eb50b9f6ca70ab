"""assets/file_drop_core.js under Node (the venv's): what the browser refuses before uploading says the same
as the server (attachments.human_size, too_big), the count per message holds, the upload route's answers
are read right, and a pasted screenshot gets a name of its own."""

import json
from pathlib import Path

import pytest

from djangochat_rx import settings
from djangochat_rx.domain import attachments
from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "file_drop_core.js"


def run(steps: str) -> dict:
    script = (
        "import { checkFiles, humanSize, pastedName, retryAfter, startable, uploadAnswer }"
        f" from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


@pytest.mark.parametrize("size", [0, 512, 1024, 1536, 25 * 1024 * 1024, 26_000_000, 3 * 1024**3])
def test_sizes_read_as_the_server_writes_them(size):
    out = run(f"out.label = humanSize({size}); out.up = humanSize({size}, true);")
    assert out == {"label": attachments.human_size(size), "up": attachments.human_size(size, up=True)}


def test_a_file_over_the_limit_is_refused_with_the_servers_words_and_the_rest_go():
    limit = settings.FILE_MAX_BYTES
    out = run(f"""
      const files = [{{ name: "big.bin", size: {limit + 1} }}, {{ name: "ok.txt", size: 10 }}];
      const checked = checkFiles(files, {{ maxBytes: {limit}, maxFiles: 10 }});
      out.accepted = checked.accepted.map((f) => f.name);
      out.refused = checked.refused;
    """)
    assert out == {"accepted": ["ok.txt"], "refused": [str(attachments.too_big("big.bin", limit + 1))]}


def test_no_more_files_than_a_message_takes_counting_those_already_attached():
    out = run("""
      const files = [1, 2, 3].map((i) => ({ name: `f${i}`, size: 1 }));
      const checked = checkFiles(files, { maxBytes: 100, maxFiles: 3, already: 2 });
      out.accepted = checked.accepted.map((f) => f.name);
      out.refused = checked.refused;
    """)
    assert out == {"accepted": ["f1"], "refused": ["A message takes at most 3 files."]}


def test_the_upload_routes_answers():
    out = run("""
      out.ok = uploadAnswer(201, JSON.stringify({ id: 7, name: "a" }));
      out.refused = uploadAnswer(413, JSON.stringify({ error: "too big" }));
      out.proxy = uploadAnswer(413, "<html>Request Entity Too Large</html>");
      out.broken = uploadAnswer(502, "");
    """)
    assert out == {
        "ok": {"file": {"id": 7, "name": "a"}},
        "refused": {"error": "too big"},
        "proxy": {"error": "This file is too large."},
        "broken": {"error": "The upload failed; try again."},
    }


def test_a_pasted_screenshot_gets_a_dated_name_and_a_named_file_keeps_its_own():
    out = run("""
      const at = new Date("2026-12-01T21:30:05Z");
      out.shot = pastedName({ name: "image.png", type: "image/png" }, at);
      out.jpeg = pastedName({ name: "", type: "image/jpeg" }, at);
      out.named = pastedName({ name: "plan.pdf", type: "application/pdf" }, at);
    """)
    assert out == {
        "shot": "pasted-2026-12-01-21-30-05.png",
        "jpeg": "pasted-2026-12-01-21-30-05.jpg",
        "named": "plan.pdf",
    }


def test_no_more_uploads_start_than_the_server_takes_at_once_from_one_person():
    at_once = settings.UPLOADS_PER_USER_AT_ONCE
    out = run(f"""
      out.fresh = startable(5, 0, {at_once});
      out.full = startable(5, {at_once}, {at_once});
      out.one_left = startable(5, {at_once - 1}, {at_once});
      out.few_waiting = startable(1, 0, {at_once});
    """)
    assert out == {"fresh": at_once, "full": 0, "one_left": 1, "few_waiting": 1}


def test_an_upload_the_server_asks_to_bring_back_later_is_sent_again_a_few_times():
    out = run("""
      out.busy = retryAfter(503, "5", 1);
      out.too_many = retryAfter(429, null, 1);
      out.given_up = retryAfter(503, "5", 5);
      out.refused = retryAfter(413, null, 1);
      out.kept = retryAfter(201, null, 1);
    """)
    assert out == {"busy": 5000, "too_many": 1000, "given_up": None, "refused": None, "kept": None}
