// DjangoChat RX: the pictures of the people a page shows, held in the browser (components/avatar.py).
//
// The page learns every uploaded picture when it loads and then each change alone (avatars_core.js
// merges them), so a new picture reaches open pages live without resending the others.
import { useContext, useSyncExternalStore } from "react";
import { StateStoreContext } from "$/utils/context";
import { createAvatars } from "$/public/avatars_core.js";

export { avatarColour, avatarInitials } from "$/public/avatars_core.js";

const maps = new WeakMap();

// Username -> picture URL (small) for `substate`'s page, re-rendering on change.
export function useAvatars(substate) {
  const store = useContext(StateStoreContext);
  let map = maps.get(store);
  if (!map) {
    map = createAvatars(store, substate);
    maps.set(store, map);
  }
  return useSyncExternalStore(map.subscribe, map.get, map.get);
}
