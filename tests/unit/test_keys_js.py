"""assets/keys_core.js under Node (the venv's): the page's one keyboard handler decides each key in one place —
Escape closes the picker, cancels an edit, or marks the room read, never two of them; Up arrow in the empty
box edits the user's newest message, and the box it opens puts the caret after the text."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "keys_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ caretOnFocus, keyAction, lastEditable }} from {json.dumps(CORE.as_uri())};\n"
        "const key = (name, mods = {}) => ({ key: name, ctrl: false, meta: false, alt: false, shift: false,"
        " prevented: false, ...mods });\n"
        "const at = (where = {}) => ({ field: null, picker: false, empty: true, overlay: false, ...where });\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_escape_does_one_thing_decided_by_where_it_is_pressed():
    out = run("""
      out.picker = keyAction(key("Escape"), at({ field: "composer", picker: true }));
      out.editing = keyAction(key("Escape"), at({ field: "edit" }));
      out.page = keyAction(key("Escape"), at());
      out.composer = keyAction(key("Escape"), at({ field: "composer" }));
      out.other_field = keyAction(key("Escape"), at({ field: "text" }));
      out.dialog = keyAction(key("Escape"), at({ overlay: true }));
      out.taken = keyAction(key("Escape", { prevented: true }), at());
    """)
    assert out == {
        "picker": "picker-close",
        "editing": "cancel-edit",
        "page": "read",
        "composer": None,
        "other_field": None,
        "dialog": None,
        "taken": None,
    }


def test_the_switcher_and_room_steps_work_anywhere_even_while_typing():
    out = run("""
      out.ctrl_k = keyAction(key("k", { ctrl: true }), at({ field: "composer" }));
      out.cmd_k = keyAction(key("K", { meta: true }), at());
      out.ctrl_shift_k = keyAction(key("K", { ctrl: true, shift: true }), at());
      out.alt_up = keyAction(key("ArrowUp", { alt: true }), at({ field: "composer", picker: true }));
      out.alt_down = keyAction(key("ArrowDown", { alt: true }), at());
      out.plain_k = keyAction(key("k"), at());
    """)
    assert out == {
        "ctrl_k": "switch",
        "cmd_k": "switch",
        "ctrl_shift_k": None,
        "alt_up": "previous-room",
        "alt_down": "next-room",
        "plain_k": None,
    }


def test_an_open_picker_takes_the_arrows_enter_and_tab_before_the_box_sends():
    out = run("""
      const open = at({ field: "composer", picker: true, empty: false });
      out.keys = ["ArrowDown", "ArrowUp", "Enter", "Tab", "a"].map((name) => keyAction(key(name), open));
      out.closed_enter = keyAction(key("Enter"), at({ field: "composer", empty: false }));
    """)
    assert out == {
        "keys": ["picker-next", "picker-previous", "picker-choose", "picker-choose", None],
        "closed_enter": None,
    }


def test_up_arrow_edits_only_from_the_empty_message_box():
    out = run("""
      out.empty = keyAction(key("ArrowUp"), at({ field: "composer" }));
      out.typed = keyAction(key("ArrowUp"), at({ field: "composer", empty: false }));
      out.elsewhere = keyAction(key("ArrowUp"), at({ field: "text" }));
    """)
    assert out == {"empty": "edit-last", "typed": None, "elsewhere": None}


def test_the_message_up_arrow_edits_is_the_users_newest_not_deleted():
    out = run("""
      const m = (id, author, deleted = false) => ({ id, author, deleted });
      out.newest = lastEditable([m(1, "ann"), m(2, "bob"), m(3, "ann"), m(4, "bob")], "ann");
      out.deleted_skipped = lastEditable([m(1, "ann"), m(2, "ann", true)], "ann");
      out.none = lastEditable([m(1, "bob")], "ann");
      out.nothing_loaded = lastEditable(undefined, "ann");
    """)
    assert out == {"newest": 3, "deleted_skipped": 1, "none": 0, "nothing_loaded": 0}


def test_a_message_opened_for_editing_gets_the_caret_after_its_text_once():
    out = run("""
      out.opened = caretOnFocus({ field: "edit", first: true }, 11);
      out.focused_again = caretOnFocus({ field: "edit", first: false }, 11);
      out.composer = caretOnFocus({ field: "composer", first: true }, 5);
      out.other_field = caretOnFocus({ field: "text", first: true }, 5);
      out.empty = caretOnFocus({ field: "edit", first: true }, 0);
    """)
    assert out == {"opened": 11, "focused_again": None, "composer": None, "other_field": None, "empty": 0}
