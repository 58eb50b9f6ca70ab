"""assets/follower_core.js under Node (the venv's): the one way a page's lists follow Reflex's state store — every
delta is stepped, each var reported fresh once per change, and listeners hear only real changes."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "follower_core.js"

# A store shaped like Reflex's (getSnapshot / subscribe per substate); `apply` is one delta, as state.js
# dispatches it, notifying synchronously.
HARNESS = """
import { followStore } from %(core)s;
const F = "_rx_state_";
const state = {};
const listeners = [];
const store = { getSnapshot: (name) => state[name], subscribe: (name, fn) => listeners.push(fn) };
const apply = (delta) => {
  const next = { ...state.page };
  for (const [key, value] of Object.entries(delta)) next[key + F] = value;
  state.page = next;
  listeners.forEach((fn) => fn());
};
const out = {};
%(steps)s
console.log(JSON.stringify(out));
"""


def run(steps: str) -> dict:
    script = HARNESS % {"core": json.dumps(CORE.as_uri()), "steps": steps}
    return run_js(script)


def test_each_var_is_fresh_once_per_change_and_every_delta_is_stepped():
    out = run("""
      out.steps = [];
      const total = followStore(store, "page", 0, (fresh, current) => {
        const [came, items] = fresh("incoming");
        out.steps.push(came);
        return came && items ? current + items.length : current;
      });
      const before = total.get();
      apply({ incoming: [1, 2] });
      apply({ incoming: [3] });
      apply({ other: 1 });
      out.before = before;
      out.total = total.get();
    """)
    assert out == {"steps": [True, True, False], "before": 0, "total": 3}


def test_listeners_hear_only_changes_and_can_leave():
    out = run("""
      out.heard = 0;
      const list = followStore(store, "page", [], (fresh, current) => {
        const [came, items] = fresh("snapshot");
        return came ? items || [] : current;
      });
      const leave = list.subscribe(() => out.heard++);
      apply({ snapshot: [1] });
      apply({ typing: ["ann"] });
      leave();
      apply({ snapshot: [2] });
      out.value = list.get();
    """)
    assert out == {"heard": 1, "value": [2]}


def test_a_store_without_the_substate_yet_is_waited_for():
    out = run("""
      const list = followStore(store, "page", "initial", (fresh) => fresh("snapshot")[1]);
      out.before = list.get();
      apply({ snapshot: "loaded" });
      out.after = list.get();
    """)
    assert out == {"before": "initial", "after": "loaded"}
