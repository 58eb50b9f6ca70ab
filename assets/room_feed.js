// DjangoChat RX: the list of messages a room page shows, held in the browser (components/room_feed.py).
//
// Each change arrives as a Reflex state delta; the feed (room_feed_core.js) listens to Reflex's state
// store directly, so no delta is missed even when several arrive before React renders. One feed per
// page, shared by every component that shows it.
import { useContext, useSyncExternalStore } from "react";
import { StateStoreContext } from "$/utils/context";
import { createFeed, ROOM_FIELDS, THREAD_FIELDS } from "$/public/room_feed_core.js";

const feeds = { room: new WeakMap(), thread: new WeakMap() };

function useFeed(kind, fields, substate, limit) {
  const store = useContext(StateStoreContext);
  let feed = feeds[kind].get(store);
  if (!feed) {
    feed = createFeed(store, substate, limit, fields);
    feeds[kind].set(store, feed);
  }
  return useSyncExternalStore(feed.subscribe, feed.get, feed.get);
}

// The room's feed of `substate` for this page: {messages, gapAfter, gapBefore}, re-rendering on change.
export function useRoomFeed(substate, limit) {
  return useFeed("room", ROOM_FIELDS, substate, limit);
}

// The open thread's replies (the thread panel), the same way.
export function useThreadFeed(substate, limit) {
  return useFeed("thread", THREAD_FIELDS, substate, limit);
}
