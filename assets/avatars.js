// DjangoChat RX: the pictures of the people a page shows, held in the browser (components/avatar.py).
//
// The page learns every uploaded picture when it loads and then each change alone (avatars_core.js
// merges them), so a new picture reaches open pages live without resending the others.
import { useFollower } from "$/public/follower.js";
import { createAvatars } from "$/public/avatars_core.js";

export { avatarColour, avatarInitials } from "$/public/avatars_core.js";

// Username -> picture URL (small) for `substate`'s page, re-rendering on change.
export function useAvatars(substate) {
  return useFollower("avatars", (store) => createAvatars(store, substate));
}
