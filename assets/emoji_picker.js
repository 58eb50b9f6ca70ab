// DjangoChat RX: the emoji picker of components/reactions.py, emoji-mart's picker (a maintained emoji
// data set with search, skin tones and categories) in a React component. It is loaded only when a
// picker opens (a separate chunk), uses the system's own emoji (no images to fetch) and hands the
// chosen emoji to `onPick` as text. The custom emoji the page knows (custom_emoji.js; `substate` holds them,
// their pictures come from `base`) are a "Custom" category, searchable by name; picking one hands `:name:`.
import { createElement, useEffect, useRef } from "react";
import { useCustomEmoji } from "$/public/custom_emoji.js";
import { pickedEmoji, pickerCategories } from "$/public/custom_emoji_core.js";

export function EmojiPicker({ onPick, substate, base }) {
  const host = useRef(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const custom = pickerCategories(useCustomEmoji(substate), base);
  const customKey = JSON.stringify(custom);
  useEffect(() => {
    let picker = null;
    let gone = false;
    Promise.all([import("emoji-mart"), import("@emoji-mart/data")]).then(([mart, data]) => {
      if (gone || !host.current) return;
      picker = new mart.Picker({
        data: data.default,
        set: "native",
        custom,
        theme: document.documentElement.classList.contains("dark") ? "dark" : "light",
        previewPosition: "none",
        skinTonePosition: "search",
        autoFocus: true,
        onEmojiSelect: (chosen) => pick.current && pick.current(pickedEmoji(chosen)),
      });
      host.current.appendChild(picker);
    });
    return () => {
      gone = true;
      if (picker) picker.remove();
    };
  }, [customKey]);
  return createElement("div", { ref: host, className: "emoji-picker" });
}
