"""assets/message_toolbar_core.js under Node (the venv's): the one toolbar of a list of messages sits on the row
the pointer is over or focus is in, stays on a message whose picker is open, is not moved by the pointer while
focus is in it, and a tool's button calls the event prop named after it."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "message_toolbar_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ handlerName, nextRow }} from {json.dumps(CORE.as_uri())};\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_the_toolbar_follows_the_pointer_and_focus_and_leaves_with_them():
    out = run("""
      out.over = nextRow({ current: null, kind: "pointer", row: "r1" });
      out.next = nextRow({ current: "r1", kind: "pointer", row: "r2" });
      out.between = nextRow({ current: "r2", kind: "pointer", row: null });
      out.focus = nextRow({ current: "r2", kind: "focus", row: "r3" });
      out.left = nextRow({ current: "r3", kind: "leave" });
    """)
    assert out == {"over": "r1", "next": "r2", "between": "r2", "focus": "r3", "left": None}


def test_focus_in_the_toolbar_keeps_it_from_the_pointer_and_an_open_picker_holds_it():
    out = run("""
      out.pointer = nextRow({ current: "r1", kind: "pointer", row: "r2", focusInside: true });
      out.leave = nextRow({ current: "r1", kind: "leave", focusInside: true });
      out.focus = nextRow({ current: "r1", kind: "focus", row: "r2", focusInside: true });
      out.held = nextRow({ current: "r1", kind: "pointer", row: "r2", held: "r1" });
      out.held_leave = nextRow({ current: "r1", kind: "leave", held: "r1" });
      out.opened = nextRow({ current: "r2", kind: "held", held: "r5" });
    """)
    assert out == {"pointer": "r1", "leave": "r1", "focus": "r2", "held": "r1", "held_leave": "r1", "opened": "r5"}


def test_a_tool_calls_the_event_prop_named_after_it():
    out = run("""out.names = ["react", "reply", "pin", "unpin", "edit", "delete"].map(handlerName);""")
    assert out["names"] == ["onReact", "onReply", "onPin", "onUnpin", "onEdit", "onDelete"]
