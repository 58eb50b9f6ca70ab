// DjangoChat RX: the page's one keyboard handler (keys_core.js decides what each key does). Keys
// (components/keys.py) hands its shortcuts to Reflex event props: Ctrl/Cmd+K `onSwitch`, Alt+Up / Alt+Down
// `onStep(-1 / 1)`, Escape outside text fields and dialogs `onEscape`, Up arrow in the empty message box
// (`composer`, an element id) `onEdit(id)` of the user's (`me`) newest message in `messages`, Escape in the
// message being edited (`editBox`) `onCancelEdit`; the message box opened for editing takes the focus with the
// caret after its text. The @ / `/` picker (picker.js) takes its keys through
// useKeys. Every mounted Keys and picker adds what it handles; the latest mounted wins a key both handle.
// Reflex event props, not eval: the app's Content-Security-Policy forbids evaluating strings.
import { useEffect, useRef } from "react";
import { caretOnFocus, keyAction, lastEditable } from "$/public/keys_core.js";

const layers = [];

function handlerOf(name) {
  for (let i = layers.length - 1; i >= 0; i--) {
    const value = layers[i].current[name];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

// A checkbox, radio or button input takes no typing: Escape there is the page's (leaving selection mode).
function typingIn(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.tagName === "INPUT") return !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  return target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName);
}

function fieldOf(target) {
  if (!(target instanceof HTMLElement)) return null;
  if (target.id && target.id === handlerOf("composer")) return "composer";
  if (target.id && target.id === handlerOf("editBox")) return "edit";
  return typingIn(target) ? "text" : null;
}

// Capture phase on window: before React's handlers (Enter in the box would otherwise send the message).
function keydown(event) {
  const picker = handlerOf("picker");
  const where = {
    field: fieldOf(event.target),
    picker: Boolean(picker && picker.open()),
    empty: !event.target.value,
    overlay: Boolean(document.querySelector('[role="dialog"], [role="alertdialog"], [role="menu"]')),
  };
  const key = {
    key: event.key || "",
    ctrl: event.ctrlKey,
    meta: event.metaKey,
    alt: event.altKey,
    shift: event.shiftKey,
    prevented: event.defaultPrevented,
  };
  const action = keyAction(key, where);
  const call = (name, ...args) => {
    const handler = handlerOf(name);
    if (!handler) return false;
    handler(...args);
    return true;
  };
  if (action === "switch" || action === "previous-room" || action === "next-room") {
    event.preventDefault();
    if (action === "switch") call("onSwitch");
    else call("onStep", action === "previous-room" ? -1 : 1);
  } else if (action && action.startsWith("picker-")) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (action === "picker-next") picker.move(1);
    else if (action === "picker-previous") picker.move(-1);
    else if (action === "picker-choose") picker.choose();
    else picker.close();
  } else if (action === "edit-last") {
    const id = lastEditable(handlerOf("messages"), handlerOf("me"));
    if (id && handlerOf("onEdit")) {
      event.preventDefault();
      call("onEdit", id);
    }
  } else if (action === "cancel-edit") {
    event.preventDefault();
    call("onCancelEdit");
    const box = document.getElementById(handlerOf("composer"));
    if (box) box.focus();
  } else if (action === "read") {
    call("onEscape");
  }
}

// The edit box is a new element each time a message opens for editing (it focuses itself as it appears).
const focusedBefore = new WeakSet();

function focusin(event) {
  const field = fieldOf(event.target);
  if (field === null) return;
  const box = event.target;
  const caret = caretOnFocus({ field, first: !focusedBefore.has(box) }, (box.value || "").length);
  focusedBefore.add(box);
  if (caret !== null) {
    box.setSelectionRange(caret, caret);
    box.scrollTop = box.scrollHeight;
  }
}

// Adds `handlers` (any of Keys' props, or {picker: {open, move, choose, close}}) while the caller is mounted.
export function useKeys(handlers) {
  const layer = useRef(handlers);
  layer.current = handlers;
  useEffect(() => {
    if (!layers.length) {
      window.addEventListener("keydown", keydown, true);
      window.addEventListener("focusin", focusin, true);
    }
    layers.push(layer);
    return () => {
      layers.splice(layers.indexOf(layer), 1);
      if (!layers.length) {
        window.removeEventListener("keydown", keydown, true);
        window.removeEventListener("focusin", focusin, true);
      }
    };
  }, []);
}

export function Keys(props) {
  useKeys(props);
  return null;
}
