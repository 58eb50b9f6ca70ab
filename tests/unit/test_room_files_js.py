"""assets/room_files_core.js under Node: a room's Files panel follows what it read when it opened and then
each message's files as they are posted, newest first, once each, for the tab's room only, bounded; the
files of a deleted message leave it."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "room_files_core.js"

HARNESS = """
import { createFiles } from %(core)s;
const F = "_rx_state_";
const state = { room: {} };
const listeners = [];
const store = { getSnapshot: (name) => state[name], subscribe: (name, fn) => listeners.push(fn) };
const apply = (delta) => {
  const next = { ...state.room };
  for (const [key, value] of Object.entries(delta)) next[key + F] = value;
  state.room = next;
  listeners.forEach((fn) => fn());
};
const line = (id, room = 1, message = id) => ({ file: { id, name: `f${id}` }, room_id: room, message_id: message });
const list = createFiles(store, "room", 3);
const ids = () => list.get().map((l) => l.file.id);
const out = {};
%(steps)s
console.log(JSON.stringify(out));
"""


def run(steps: str) -> dict:
    script = HARNESS % {"core": json.dumps(CORE.as_uri()), "steps": steps}
    return run_js(script)


def test_posted_files_go_first_once_each_for_this_room_only_and_the_list_stays_bounded():
    out = run("""
      apply({ feed_room: 1, room_files: [line(2), line(1)] });
      out.opened = ids();
      apply({ files_posted: [line(4), line(3)] });
      out.posted = ids();
      apply({ files_posted: [line(4)] });
      apply({ files_posted: [line(9, 2)] });
      out.again = ids();
      apply({ feed_room: 2, room_files: [] });
      out.other_room = ids();
    """)
    assert out == {"opened": [2, 1], "posted": [4, 3, 2], "again": [4, 3, 2], "other_room": []}


def test_the_files_of_a_deleted_message_leave_the_panel_even_when_read_again_after():
    out = run("""
      apply({ feed_room: 1, room_files: [line(3, 1, 30), line(2, 1, 20), line(1, 1, 20)] });
      apply({ files_removed: [20] });
      out.deleted = ids();
      apply({ files_removed: [99] });
      out.unknown = ids();
      apply({ room_files: [line(3, 1, 30), line(2, 1, 20)] });
      out.read_again = ids();
      apply({ files_posted: [line(4, 1, 40)] });
      apply({ files_removed: [40] });
      out.posted_then_deleted = ids();
    """)
    assert out == {"deleted": [3], "unknown": [3], "read_again": [3], "posted_then_deleted": [3]}
