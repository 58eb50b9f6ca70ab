// DjangoChat RX: the emoji picker of components/reactions.py, emoji-mart's picker (a maintained emoji
// data set with search, skin tones and categories) in a React component. It is loaded only when a
// picker opens (a separate chunk), uses the system's own emoji (no images to fetch) and hands the
// chosen emoji to `onPick` as text.
import { createElement, useEffect, useRef } from "react";

export function EmojiPicker({ onPick }) {
  const host = useRef(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    let picker = null;
    let gone = false;
    Promise.all([import("emoji-mart"), import("@emoji-mart/data")]).then(([mart, data]) => {
      if (gone || !host.current) return;
      picker = new mart.Picker({
        data: data.default,
        set: "native",
        theme: document.documentElement.classList.contains("dark") ? "dark" : "light",
        previewPosition: "none",
        skinTonePosition: "search",
        autoFocus: true,
        onEmojiSelect: (chosen) => pick.current && pick.current(chosen.native),
      });
      host.current.appendChild(picker);
    });
    return () => {
      gone = true;
      if (picker) picker.remove();
    };
  }, []);
  return createElement("div", { ref: host, className: "emoji-picker" });
}
