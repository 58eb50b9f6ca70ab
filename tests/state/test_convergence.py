"""Zulip's convergence check for the room feed: the deltas a tab received over its websocket (a room's snapshot,
then every live event: new, edited, deleted and reacted-to messages), applied by the browser's own merge
(assets/room_feed_core.js, run under Node), give the same list as a fresh load of the room."""

import json
from pathlib import Path

from djangochat_rx import settings
from djangochat_rx.state.room import RoomState
from tests.state.conftest import room_tab
from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "room_feed_core.js"

# A store shaped like Reflex's, fed the tab's deltas one by one as state.js dispatches them.
MERGE = """
import { createFeed } from %(core)s;
const state = { room: {} };
const listeners = [];
const store = { getSnapshot: (name) => state[name], subscribe: (name, fn) => listeners.push(fn) };
const feed = createFeed(store, "room", %(limit)d);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  for (const delta of JSON.parse(input)) {
    state.room = { ...state.room, ...delta };
    listeners.forEach((fn) => fn());
  }
  console.log(JSON.stringify(feed.get().messages));
});
"""


def browser_merge(deltas: list[dict]) -> list[dict]:
    script = MERGE % {"core": json.dumps(CORE.as_uri()), "limit": settings.FEED_MAX_MESSAGES}
    return run_js(script, stdin=json.dumps(deltas))


def room_deltas(tab) -> list[dict]:
    """What the tab's RoomState received, frame by frame, in order."""
    name = RoomState.get_full_name()
    return [frame["delta"][name] for frame in tab.frames if name in (frame.get("delta") or {})]


async def test_live_events_merged_by_the_browser_equal_a_fresh_load(open_tab, make_user, room):
    _, author_token = make_user()
    _, watcher_token = make_user()
    watcher = await room_tab(open_tab, watcher_token, room.slug)
    author = await room_tab(open_tab, author_token, room.slug)
    for text in ("one", "two", "three"):
        await author.call(RoomState, "send", form={"message": text, "client_id": f"c-{text}"})
        await watcher.wait_for(lambda text=text: text in watcher.texts())
    by_text = dict(zip(watcher.texts(), watcher.feed(), strict=True))
    one, two, three = by_text["one"], by_text["two"], by_text["three"]
    await author.call(RoomState, "start_edit", message_id=two["id"])
    await author.wait_for(lambda: author.var(RoomState, "editing_id") == two["id"])
    await author.call(RoomState, "save_edit", form={"text": "two, edited"})
    await author.call(RoomState, "ask_delete", message_id=three["id"])
    await author.wait_for(lambda: author.var(RoomState, "deleting_id") == three["id"])
    await author.call(RoomState, "confirm_delete")
    await author.call(RoomState, "react", message_id=one["id"], emoji="👍")

    def heard_everything() -> bool:
        shown = {message["id"]: message for message in watcher.feed()}
        return (
            bool(shown[one["id"]].get("reactions"))
            and shown[two["id"]].get("edited", False)
            and shown[three["id"]].get("deleted", False)
        )

    await watcher.wait_for(heard_everything)
    fresh = await room_tab(open_tab, make_user()[1], room.slug)
    loaded = fresh.var(RoomState, "snapshot")
    merged = browser_merge(room_deltas(watcher))
    assert merged == loaded
    assert [m.get("edited", False) for m in merged] == [False, True, False]
    assert any(reaction["emoji"] == "👍" for reaction in merged[0]["reactions"])
