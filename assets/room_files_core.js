// DjangoChat RX: the list a room's Files panel shows (used by room_files.js; no imports, so
// tests/unit/test_room_files_js.py runs it under Node). The panel reads the room's newest files when it
// opens (`room_files`), then the server sends the files of each message posted (`files_posted`) and the
// ids of messages deleted (`files_removed`); this merges them newest first, once each, for the room the
// tab shows (`feed_room`), at most `limit`, without the files of a deleted message (even one read after).

const FIELD = "_rx_state_";

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
  const listeners = new Set();
  const seen = {};
  const removed = new Set();
  let current = [];
  const read = () => {
    const state = store.getSnapshot(substate);
    if (!state) return;
    const room = state[`feed_room${FIELD}`];
    let next = current;
    const opened = state[`room_files${FIELD}`];
    if (opened !== seen.opened || room !== seen.room) {
      seen.opened = opened;
      seen.room = room;
      next = mergeFiles([], opened, room, limit);
    }
    const posted = state[`files_posted${FIELD}`];
    if (posted !== seen.posted) {
      seen.posted = posted;
      next = mergeFiles(next, posted, room, limit);
    }
    const deleted = state[`files_removed${FIELD}`];
    if (deleted !== seen.deleted) {
      seen.deleted = deleted;
      for (const id of deleted || []) removed.add(id);
    }
    next = dropFiles(next, removed);
    if (next !== current) {
      current = next;
      for (const listener of listeners) listener();
    }
  };
  read();
  store.subscribe(substate, read);
  return {
    get: () => current,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
