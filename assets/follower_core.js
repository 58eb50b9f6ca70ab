// DjangoChat RX: the one way a page's list follows the server (the room's messages and a thread's replies,
// room_feed_core.js; the Files panel, room_files_core.js; everyone's pictures, avatars_core.js; the custom emoji,
// custom_emoji_core.js). No imports,
// so the tests under Node run it (tests/unit/test_follower_js.py).
//
// The server writes a few vars of one substate of Reflex's state store (a snapshot, then each change alone),
// straight to the browser; followStore keeps a value built from them, stepping it on every delta, so no
// delta is missed even when several arrive before React renders.

const FIELD = "_rx_state_";

// A follower of `substate` in `store` ({getSnapshot, subscribe}), starting at `initial`. On each delta
// `step(fresh, current)` returns the next value, or `current` itself when nothing changed; `fresh(name)` is
// [true, value] when var `name` changed since the last step that asked for it (a var never set counts as
// unchanged), else [false, value].
// Returns {get, subscribe}, what React's useSyncExternalStore takes.
export function followStore(store, substate, initial, step) {
  const seen = {};
  const listeners = new Set();
  let current = initial;
  const read = () => {
    const state = store.getSnapshot(substate);
    if (!state) return;
    const fresh = (name) => {
      const value = state[name + FIELD];
      if (seen[name] === value) return [false, value];
      seen[name] = value;
      return [true, value];
    };
    const next = step(fresh, current);
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

// A map of name -> URL following two vars of `substate`: `all` (every entry, when the page loads) and `changed`
// (some entries' new URLs, or "" for an entry gone, as it happens), merged into one map.
export function followUrlMap(store, substate, all, changed) {
  return followStore(store, substate, {}, (fresh, current) => {
    let next = current;
    const [reloaded, every] = fresh(all);
    if (reloaded) next = { ...(every || {}) };
    const [came, change] = fresh(changed);
    if (came) {
      next = { ...next };
      for (const [name, url] of Object.entries(change || {})) {
        if (url) next[name] = url;
        else delete next[name];
      }
    }
    return next;
  });
}
