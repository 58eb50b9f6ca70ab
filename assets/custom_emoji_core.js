// DjangoChat RX: the custom emoji a page knows (name -> picture URL), the stylesheet that draws them, and what
// the emoji picker offers of them (used by custom_emoji.js and emoji_picker.js; its only import is
// follower_core.js, so tests/unit/test_custom_emoji_js.py runs it under Node).
//
// A message's `:name:` is always <span class="custom-emoji" data-emoji="name">:name:</span> (markup.py renders
// it without knowing which emoji exist). One rule per known emoji draws the picture over that text; an emoji
// that is removed loses its rule, and its spans show `:name:` again. No element is walked or observed.
import { followUrlMap } from "./follower_core.js";

const NAME = /^[a-z0-9_+-]{2,32}$/;
const PATH = /^\/_files\/emoji\/[a-z0-9_+-]{2,32}\/[0-9a-f]{32}$/;
// The picker's ids of custom emoji (emoji-mart's own ids are words too: "smile" may be both).
export const PICKER_PREFIX = "custom:";

// Follows one substate of Reflex's store: `custom_emoji` (every emoji, when the page loads) and
// `custom_emoji_changed` (one emoji's new picture, or "" once removed, as it happens), merged into one map.
export function createEmojiMap(store, substate) {
  return followUrlMap(store, substate, "custom_emoji", "custom_emoji_changed");
}

// The emoji of `map` whose name and URL have the shapes the server makes (anything else is left out: a rule
// is written from them), sorted by name.
export function usable(map) {
  return Object.entries(map || {})
    .filter(([name, url]) => NAME.test(name) && typeof url === "string" && PATH.test(url))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// The stylesheet drawing every emoji of `map` (files from `base`, the backend's origin): one rule that shapes
// every known one as a picture, then one background per emoji. "" for none.
export function emojiRules(map, base) {
  const known = usable(map);
  if (!known.length) return "";
  const origin = String(base || "").replace(/[^A-Za-z0-9:/.\-\[\]]/g, "");
  const selector = (name) => `.custom-emoji[data-emoji="${name}"]`;
  const shape =
    "display:inline-block;width:1.375em;height:1.375em;vertical-align:-0.3em;overflow:hidden;white-space:nowrap;" +
    "color:transparent;background:center/contain no-repeat;";
  const rules = [`${known.map(([name]) => selector(name)).join(",")}{${shape}}`];
  for (const [name, url] of known) rules.push(`${selector(name)}{background-image:url("${origin}${url}")}`);
  return rules.join("\n");
}

// emoji-mart's `custom` option: one "Custom" category, each emoji searchable by its name.
export function pickerCategories(map, base) {
  const known = usable(map);
  if (!known.length) return [];
  const origin = String(base || "");
  const emojis = known.map(([name, url]) => ({
    id: PICKER_PREFIX + name,
    name: `:${name}:`,
    keywords: [name, ...name.split(/[_+-]/).filter(Boolean)],
    skins: [{ src: origin + url }],
  }));
  return [{ id: "custom", name: "Custom", emojis }];
}

// What a pick in the picker reacts with: a custom emoji's `:name:`, else the emoji itself.
export function pickedEmoji(chosen) {
  if (chosen && typeof chosen.id === "string" && chosen.id.startsWith(PICKER_PREFIX)) {
    return `:${chosen.id.slice(PICKER_PREFIX.length)}:`;
  }
  return chosen ? chosen.native : undefined;
}
