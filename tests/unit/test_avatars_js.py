"""assets/avatars_core.js under Node: a generated picture's letters and colour stay the same for a name, and
the pictures a page holds follow the snapshot at load and then each change alone."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "avatars_core.js"
CSS = Path(__file__).resolve().parents[2] / "assets" / "chat.css"

HARNESS = """
import { COLOURS, avatarColour, avatarInitials, createAvatars } from %(core)s;
const F = "_rx_state_";
const state = { auth: {} };
const listeners = [];
const store = { getSnapshot: (name) => state[name], subscribe: (name, fn) => listeners.push(fn) };
const apply = (delta) => {
  const next = { ...state.auth };
  for (const [key, value] of Object.entries(delta)) next[key + F] = value;
  state.auth = next;
  listeners.forEach((fn) => fn());
};
const out = {};
%(steps)s
console.log(JSON.stringify(out));
"""


def run(steps: str) -> dict:
    script = HARNESS % {"core": json.dumps(CORE.as_uri()), "steps": steps}
    return run_js(script)


def test_initials_and_a_stable_colour_with_a_css_rule_for_every_colour():
    out = run("""
      out.initials = ["alice", "ada.lovelace", "Émile_zola", "x", "", "--"].map(avatarInitials);
      out.numbered = ["amy_244334", "amy_a61862", "ann_lee", "bob-2", "carl_3po", "7of9_x", "zoë_émile"].map(
        avatarInitials,
      );
      out.same = avatarColour("Alice") === avatarColour("alice");
      out.spread = new Set(["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"].map(avatarColour)).size;
      out.colours = COLOURS;
    """)
    assert out["initials"] == ["A", "AL", "ÉZ", "X", "?", "?"]
    # A second part counts only when it is a word (letters only): a number or a code after "_" gives no letter.
    assert out["numbered"] == ["A", "A", "AL", "B", "C", "7X", "ZÉ"]
    assert out["same"] and out["spread"] >= 4
    css = CSS.read_text()
    assert all(f'.avatar-generated[data-colour="{colour}"]' in css for colour in out["colours"])


def test_the_map_follows_the_snapshot_then_each_change_alone():
    out = run("""
      const map = createAvatars(store, "auth");
      apply({ avatars: { ann: "/a1", ben: "/b1" } });
      out.loaded = map.get();
      apply({ avatar_changed: { cat: "/c1" } });
      apply({ avatar_changed: { ann: "/a2" } });
      out.changed = map.get();
      apply({ avatar_changed: { ben: "" } });
      out.removed = map.get();
    """)
    assert out == {
        "loaded": {"ann": "/a1", "ben": "/b1"},
        "changed": {"ann": "/a2", "ben": "/b1", "cat": "/c1"},
        "removed": {"ann": "/a2", "cat": "/c1"},
    }
