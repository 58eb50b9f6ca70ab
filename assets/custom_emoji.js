// DjangoChat RX: the custom emoji a page knows, held in the browser (components/custom_emoji.py).
//
// The page learns every custom emoji when it loads and then each change alone (custom_emoji_core.js merges
// them); CustomEmojiStyle, mounted once per page, writes the one stylesheet that draws them over the
// `:name:` spans of messages and reactions.
import { createElement } from "react";
import { useFollower } from "$/public/follower.js";
import { createEmojiMap, emojiRules } from "$/public/custom_emoji_core.js";

// Name -> picture URL for `substate`'s page, re-rendering on change.
export function useCustomEmoji(substate) {
  return useFollower("custom_emoji", (store) => createEmojiMap(store, substate));
}

export function CustomEmojiStyle({ substate, base }) {
  const map = useCustomEmoji(substate);
  return createElement("style", { "data-custom-emoji": "" }, emojiRules(map, base));
}
