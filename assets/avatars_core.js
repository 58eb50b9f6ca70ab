// DjangoChat RX: the generated picture's letters and colour, and the map of uploaded pictures a page holds
// (used by avatars.js; its only import is follower_core.js, so tests/unit/test_avatars_js.py runs it under Node).
import { followUrlMap } from "./follower_core.js";

// Radix colour scales for generated pictures (components/avatar.py draws them soft: step 11 on step a3).
export const COLOURS = ["tomato", "crimson", "plum", "purple", "violet", "indigo", "blue", "cyan", "teal", "grass", "brown", "orange"];

// One or two letters for a name: its first, and the first of its second part when that is a word (letters only):
// "alice" -> "A", "ada.lovelace" -> "AL", "ann_lee" -> "AL", but "amy_244334" and "amy_a61862" -> "A" (a number
// or a code is no name).
export function avatarInitials(name) {
  const parts = String(name || "").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (!parts.length) return "?";
  const second = parts.length > 1 && /^\p{L}+$/u.test(parts[1]) ? Array.from(parts[1])[0] : "";
  return (Array.from(parts[0])[0] + second).toUpperCase();
}

// A colour for a name, the same on every page and every visit (FNV-1a over its lower-cased UTF-16).
export function avatarColour(name) {
  let hash = 0x811c9dc5;
  for (const unit of String(name || "").toLowerCase()) {
    hash ^= unit.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return COLOURS[hash % COLOURS.length];
}

// Follows one substate of Reflex's store: `avatars` (every picture, when the page loads) and
// `avatar_changed` (one person's new picture, or "" for none, as it happens), merged into one map.
export function createAvatars(store, substate) {
  return followUrlMap(store, substate, "avatars", "avatar_changed");
}
