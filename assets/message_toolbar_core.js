// DjangoChat RX: the rules of MessageToolbar (message_toolbar.js), the one toolbar of a list of messages (no
// imports, so tests/unit/test_message_toolbar_js.py runs it under Node): which row it sits on, and which event
// prop a button of it calls.

// The row the toolbar sits on after `kind` ("pointer": the pointer came over `row`; "focus": focus came into
// `row`; "leave": the pointer or focus left the list; "held": the message whose picker is open changed to
// `held`), from `current`. A held message keeps it (the picker beside it stays put); focus in the toolbar keeps
// it from the pointer (a keyboard user's place is not moved by the mouse); leaving hides it unless it is held or
// focused.
export function nextRow({ current, kind, row = null, held = null, focusInside = false }) {
  if (held) return held;
  if (kind === "leave") return focusInside ? current : null;
  if (kind === "pointer" && focusInside) return current;
  return row || current;
}

// The event prop a button marked data-tool="<tool>" calls: "pin" -> "onPin".
export function handlerName(tool) {
  return `on${tool.charAt(0).toUpperCase()}${tool.slice(1)}`;
}
