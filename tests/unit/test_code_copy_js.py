"""assets/code_copy_core.js under Node (the venv's): the copy buttons sit in the code blocks of the message the
pointer is over or focus is in, stay with a keyboard user's focus, copy a block's code without Markdown's last
newline, and say how the copy went."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "code_copy_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ SAID_MS, buttonText, codeToCopy, nextRow, sameBlocks }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_the_buttons_follow_the_pointer_and_focus_and_leave_with_them():
    out = run("""
      out.over = nextRow({ current: null, kind: "pointer", row: "r1" });
      out.next = nextRow({ current: "r1", kind: "pointer", row: "r2" });
      out.between = nextRow({ current: "r2", kind: "pointer", row: null });
      out.focus = nextRow({ current: "r2", kind: "focus", row: "r3" });
      out.left = nextRow({ current: "r3", kind: "leave" });
    """)
    assert out == {"over": "r1", "next": "r2", "between": "r2", "focus": "r3", "left": None}


def test_keyboard_focus_keeps_the_buttons_from_the_pointer_and_from_leaving():
    out = run("""
      out.pointer = nextRow({ current: "r1", kind: "pointer", row: "r2", focusShown: true });
      out.leave = nextRow({ current: "r1", kind: "leave", focusShown: true });
      out.tab = nextRow({ current: "r1", kind: "focus", row: "r2", focusShown: true });
    """)
    assert out == {"pointer": "r1", "leave": "r1", "tab": "r2"}


def test_the_same_blocks_need_no_new_buttons():
    out = run("""
      const a = {}, b = {};
      out.same = sameBlocks([a, b], [a, b]);
      out.order = sameBlocks([a, b], [b, a]);
      out.fewer = sameBlocks([a, b], [a]);
      out.none = sameBlocks([], []);
    """)
    assert out == {"same": True, "order": False, "fewer": False, "none": True}


def test_a_block_copies_its_code_without_the_last_newline():
    out = run(r"""
      out.block = codeToCopy("def f():\n    return 1\n");
      out.blank_line_kept = codeToCopy("a\n\n");
      out.no_newline = codeToCopy("x = 1");
    """)
    assert out == {"block": "def f():\n    return 1", "blank_line_kept": "a\n", "no_newline": "x = 1"}


def test_the_button_says_copy_then_how_the_copy_went_for_a_moment():
    out = run("""
      out.said = ["", "copied", "failed"].map(buttonText);
      out.ms = SAID_MS;
    """)
    assert out["said"] == ["Copy", "Copied", "Not copied"]
    assert 1000 <= out["ms"] <= 3000
