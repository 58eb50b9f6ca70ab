"""assets/picker_core.js under Node (the venv's): what the message box's @ mention and / command pickers offer,
when they ask for their lists, and what choosing puts in the box."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "picker_core.js"


def run(steps: str) -> dict:
    script = (
        f"import {{ chosen, moved, offer }} from {json.dumps(CORE.as_uri())};\n"
        'const lists = { names: ["room", "here", "Alice", "albert", "bob"],'
        ' commands: ["/me\\tTEXT\\tAct", "/shrug\\t[TEXT]\\tShrug", "/topic\\tTEXT\\tSet the topic"] };\n'
        "const names = (found) => found.shown && found.shown.items.map((item) => item.name);\n"
        f"const out = {{}};\n{steps}\nconsole.log(JSON.stringify(out));"
    )
    return run_js(script)


def test_at_offers_the_names_starting_with_what_was_typed_ignoring_case():
    out = run("""
      out.al = names(offer("lunch @AL", lists));
      out.start = offer("@b", lists).shown.start;
      out.mid_word = offer("mail@al", lists);
      out.nobody = offer("@zed", lists);
      out.label = offer("@", lists).shown.label;
    """)
    assert out == {"al": ["@Alice", "@albert"], "start": 0, "mid_word": {}, "nobody": {}, "label": "Mention someone"}


def test_slash_offers_commands_only_at_the_start_and_double_slash_escapes():
    out = run("""
      const found = offer("/sh", lists).shown;
      out.shrug = found.items.map((item) => [item.name, item.usage, item.help]);
      out.label = found.label;
      out.later = offer("say /sh", lists);
      out.escaped = offer("//sh", lists);
    """)
    assert out == {"shrug": [["/shrug", "[TEXT]", "Shrug"]], "label": "Commands", "later": {}, "escaped": {}}


def test_a_list_not_loaded_yet_is_asked_for_on_first_use():
    out = run("""
      out.names = offer("@a", { names: [], commands: [] });
      out.commands = offer("/", { names: [], commands: [] });
    """)
    assert out == {"names": {"want": "names"}, "commands": {"want": "commands"}}


def test_at_most_eight_are_offered():
    out = run("""
      const many = { names: Array.from({ length: 20 }, (_, i) => `user${i}`), commands: [] };
      out.count = offer("@user", many).shown.items.length;
    """)
    assert out == {"count": 8}


def test_choosing_replaces_what_was_typed_and_moves_the_caret_after_a_space():
    out = run("""
      out.mid = chosen("hi @al and", 3, 6, "@Alice");
      out.command = chosen("/sh", 0, 3, "/shrug");
      out.down = [0, 1, 2].map((i) => moved(i, 1, 3));
      out.up = moved(0, -1, 3);
    """)
    assert out == {
        "mid": {"value": "hi @Alice  and", "caret": 10},
        "command": {"value": "/shrug ", "caret": 7},
        "down": [1, 2, 0],
        "up": 2,
    }


def test_at_offers_user_groups_with_what_they_are():
    out = run("""
      const withGroups = { names: ["room", "here", "backend\\tgroup · 5 members", "bob"], commands: [] };
      out.items = offer("@b", withGroups).shown.items.map((item) => [item.name, item.insert, item.help]);
    """)
    assert out == {"items": [["@backend", "@backend", "group · 5 members"], ["@bob", "@bob", ""]]}
