// DjangoChat RX: the list of messages a room page shows, held in the browser (components/room_feed.py).
//
// Each change arrives as a Reflex state delta; the feed (room_feed_core.js) listens to Reflex's state
// store directly, so no delta is missed even when several arrive before React renders. One feed per
// page, shared by every component that shows it.
import { useContext, useSyncExternalStore } from "react";
import { StateStoreContext } from "$/utils/context";
import { createFeed } from "$/public/room_feed_core.js";

const feeds = new WeakMap();

// The feed of `substate` for this page: {messages, gapAfter, gapBefore}, re-rendering on change.
export function useRoomFeed(substate, limit) {
  const store = useContext(StateStoreContext);
  let feed = feeds.get(store);
  if (!feed) {
    feed = createFeed(store, substate, limit);
    feeds.set(store, feed);
  }
  return useSyncExternalStore(feed.subscribe, feed.get, feed.get);
}
