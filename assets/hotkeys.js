// DjangoChat RX: the workspace's keyboard shortcuts, for components/switcher.py (HotKeys renders nothing).
//
// Ctrl+K (Cmd+K on a Mac) calls `onSwitch` (the quick switcher opens); Alt+ArrowUp / Alt+ArrowDown call
// `onStep` with -1 / 1 (the previous / next room); Escape calls `onEscape` (the room is marked read) unless
// it belongs to something else: a text field, an open dialog or menu, or a handler that took it already.
// Each prop is optional. Reflex event props, not eval: the app's Content-Security-Policy forbids
// evaluating strings.
import { useEffect, useRef } from "react";

function typingIn(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export function HotKeys({ onSwitch, onStep, onEscape }) {
  const handlers = useRef({});
  handlers.current = { onSwitch, onStep, onEscape };
  useEffect(() => {
    const keydown = (event) => {
      const { onSwitch, onStep, onEscape } = handlers.current;
      const key = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && key === "k") {
        event.preventDefault();
        if (onSwitch) onSwitch();
      } else if (event.altKey && !event.ctrlKey && !event.metaKey && (key === "arrowup" || key === "arrowdown")) {
        event.preventDefault();
        if (onStep) onStep(key === "arrowup" ? -1 : 1);
      } else if (key === "escape" && onEscape && !event.defaultPrevented && !typingIn(event.target)) {
        if (!document.querySelector('[role="dialog"], [role="alertdialog"], [role="menu"]')) onEscape();
      }
    };
    document.addEventListener("keydown", keydown);
    return () => document.removeEventListener("keydown", keydown);
  }, []);
  return null;
}
