// DjangoChat RX: how a room page's message list follows the server (used by room_feed.js; its only import is
// follower_core.js, so tests/unit/test_room_feed_js.py runs it under Node).
//
// The server sends a room's newest messages once (`snapshot`, when the tab opens the room), then each
// new, edited or deleted message alone (`incoming`), and batches read from the database (`history`:
// scrolling back, filling a gap). createFeed follows them (followStore) and merges them by message id in
// the room's sequence order.
import { followStore } from "./follower_core.js";

const EMPTY = Object.freeze({ messages: [], blocks: [], gapAfter: 0, gapBefore: 0 });

// Messages per block: the page renders the list block by block, and a block whose messages are unchanged is the
// same array as before, so a new message renders its own block only, whatever the page holds.
export const BLOCK = 50;

// `list` in blocks by seq (block k holds the seqs from k * BLOCK to (k + 1) * BLOCK - 1 that `list` has), each
// block of `previous` with the same messages (the same objects) kept as it was.
export function blocksOf(list, previous = []) {
  const blocks = [];
  let start = 0;
  for (let i = 1; i <= list.length; i++) {
    if (i === list.length || Math.floor(list[i].seq / BLOCK) !== Math.floor(list[start].seq / BLOCK)) {
      blocks.push(list.slice(start, i));
      start = i;
    }
  }
  const before = new Map(previous.map((block) => [block[0].id, block]));
  return blocks.map((block) => {
    const old = before.get(block[0].id);
    return old && old.length === block.length && old.every((message, i) => message === block[i]) ? old : block;
  });
}

// `list` with `items` merged in: an item replaces the message with its id, the result is ordered by
// seq and keeps the newest `limit` messages. `list` is never changed.
export function mergeFeed(list, items, limit) {
  if (!items || items.length === 0) return list;
  const last = list.length ? list[list.length - 1].seq : 0;
  let merged;
  if (items.every((item, i) => item.seq > (i ? items[i - 1].seq : last))) {
    merged = list.concat(items); // the usual case: new messages after the newest
  } else {
    const byId = new Map(list.map((message) => [message.id, message]));
    for (const item of items) byId.set(item.id, item);
    merged = [...byId.values()].sort((a, b) => a.seq - b.seq);
  }
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

// The first hole in the sequence (messages the tab has not got): the ids around it, or 0 and 0.
export function firstGap(list) {
  for (let i = 1; i < list.length; i++) {
    if (list[i].seq > list[i - 1].seq + 1) return { gapAfter: list[i - 1].id, gapBefore: list[i].id };
  }
  return { gapAfter: 0, gapBefore: 0 };
}

// What a room page's feed follows: the room (`feed_room`, which messages carry as `room_id`) and the lists
// merged into it. A thread's panel follows its parent the same way (THREAD_FIELDS: replies carry `thread_id`).
export const ROOM_FIELDS = Object.freeze({ key: "feed_room", by: "room_id", lists: ["history", "snapshot", "incoming"] });
export const THREAD_FIELDS = Object.freeze({
  key: "thread_parent",
  by: "thread_id",
  lists: ["thread_snapshot", "thread_incoming"],
});

// Follows one substate of Reflex's store: the `fields.key` var and the `fields.lists` vars.
export function createFeed(store, substate, limit, fields = ROOM_FIELDS) {
  let room;
  return followStore(store, substate, EMPTY, (fresh, current) => {
    const [moved, key] = fresh(fields.key);
    let list = current.messages;
    let changed = false;
    if (moved) {
      room = key;
      list = list.filter((message) => message[fields.by] === room);
      changed = true;
    }
    for (const name of fields.lists) {
      const [came, items] = fresh(name);
      if (!came) continue;
      const mine = (items || []).filter((message) => message[fields.by] === room);
      if (mine.length) {
        list = mergeFeed(list, mine, limit);
        changed = true;
      }
    }
    return changed ? { messages: list, blocks: blocksOf(list, current.blocks), ...firstGap(list) } : current;
  });
}
