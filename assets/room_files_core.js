// DjangoChat RX: the list a room's Files panel shows (used by room_files.js; its only import is
// follower_core.js, so tests/unit/test_room_files_js.py runs it under Node). The panel reads the room's
// newest files when it opens (`room_files`), then the server sends the files of each message posted
// (`files_posted`) and the ids of messages deleted (`files_removed`); this merges them newest first, once
// each, for the room the tab shows (`feed_room`), at most `limit`, without the files of a deleted message
// (even one read after).

import { followStore } from "./follower_core.js";

export function mergeFiles(list, items, room, limit) {
  const seen = new Set(list.map((line) => line.file.id));
  const fresh = (items || []).filter((line) => line.room_id === room && !seen.has(line.file.id));
  if (!fresh.length) return list;
  return [...fresh, ...list].sort((a, b) => b.file.id - a.file.id).slice(0, limit);
}

export function dropFiles(list, deleted) {
  const kept = list.filter((line) => !deleted.has(line.message_id));
  return kept.length === list.length ? list : kept;
}

export function createFiles(store, substate, limit) {
  const removed = new Set();
  let room;
  return followStore(store, substate, [], (fresh, current) => {
    let next = current;
    const [moved, key] = fresh("feed_room");
    const [reopened, lines] = fresh("room_files");
    if (moved || reopened) {
      room = key;
      next = mergeFiles([], lines, room, limit);
    }
    const [posted, items] = fresh("files_posted");
    if (posted) next = mergeFiles(next, items, room, limit);
    const [deleted, ids] = fresh("files_removed");
    if (deleted) for (const id of ids || []) removed.add(id);
    return dropFiles(next, removed);
  });
}
