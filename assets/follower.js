// DjangoChat RX: useFollower, the React side of follower_core.js: one follower of each `kind` per page (per
// Reflex state store), made by `create(store)` on first use and shared by every component that shows it;
// re-renders on change.
import { useContext, useSyncExternalStore } from "react";
import { StateStoreContext } from "$/utils/context";

const followers = new Map(); // kind -> WeakMap(store -> follower)

export function useFollower(kind, create) {
  const store = useContext(StateStoreContext);
  if (!followers.has(kind)) followers.set(kind, new WeakMap());
  const byStore = followers.get(kind);
  let follower = byStore.get(store);
  if (!follower) {
    follower = create(store);
    byStore.set(store, follower);
  }
  return useSyncExternalStore(follower.subscribe, follower.get, follower.get);
}
