// DjangoChat RX: the list of messages a room page shows, held in the browser (components/room_feed.py).
//
// Each change arrives as a Reflex state delta; the feed (room_feed_core.js) follows Reflex's state store
// directly (follower_core.js), so no delta is missed even when several arrive before React renders. One
// feed per page, shared by every component that shows it.
import { useFollower } from "$/public/follower.js";
import { createFeed, ROOM_FIELDS, THREAD_FIELDS } from "$/public/room_feed_core.js";

// The room's feed of `substate` for this page: {messages, gapAfter, gapBefore}, re-rendering on change.
export function useRoomFeed(substate, limit) {
  return useFollower("room", (store) => createFeed(store, substate, limit, ROOM_FIELDS));
}

// The open thread's replies (the thread panel), the same way.
export function useThreadFeed(substate, limit) {
  return useFollower("thread", (store) => createFeed(store, substate, limit, THREAD_FIELDS));
}
