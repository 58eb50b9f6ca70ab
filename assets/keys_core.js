// DjangoChat RX: what a key press does on a page, and where the caret goes when a message box takes the focus (used
// by keys.js, the page's one keyboard handler; no imports, so tests/unit/test_keys_js.py runs it under Node). One
// place decides, Escape included.

// The action for `key` ({key, ctrl, meta, alt, shift, prevented}) pressed in `where` ({field, picker, empty,
// overlay}): `field` is "composer" (the message box), "edit" (a message being edited), "text" (any other
// text field) or null; `picker` whether the @ / `/` picker is open; `empty` whether the field is empty;
// `overlay` whether a dialog or menu is open. One of "switch", "previous-room", "next-room", "picker-next",
// "picker-previous", "picker-choose", "picker-close", "edit-last", "cancel-edit", "read" or null (the key
// is left alone).
export function keyAction(key, where) {
  const name = key.key.toLowerCase();
  if ((key.ctrl || key.meta) && !key.alt && !key.shift && name === "k") return "switch";
  if (key.alt && !key.ctrl && !key.meta && (name === "arrowup" || name === "arrowdown")) {
    return name === "arrowup" ? "previous-room" : "next-room";
  }
  if (where.field === "composer" && where.picker) {
    if (name === "arrowdown") return "picker-next";
    if (name === "arrowup") return "picker-previous";
    if (name === "enter" || name === "tab") return "picker-choose";
    if (name === "escape") return "picker-close";
  }
  if (where.field === "composer" && name === "arrowup" && where.empty) return "edit-last";
  if (where.field === "edit" && name === "escape") return "cancel-edit";
  // Escape outside text fields, dialogs and menus: the room is read, wherever the reader has scrolled to.
  if (name === "escape" && where.field === null && !where.overlay && !key.prevented) return "read";
  return null;
}

// The id of the message Up arrow opens for editing: `me`'s newest message not deleted (0: none).
export function lastEditable(messages, me) {
  for (let i = (messages || []).length - 1; i >= 0; i--) {
    if (messages[i].author === me && !messages[i].deleted) return messages[i].id;
  }
  return 0;
}

// Where the caret goes when a text field takes the focus (`where`: {field, first}, `field` as for keyAction, `first`
// whether that field element was never focused before), in text `length` long: a message just opened for editing
// gets it after its text, so typing adds to the end (the browser would put it before); otherwise null (left where
// the click or the browser put it).
export function caretOnFocus(where, length) {
  return where.field === "edit" && where.first ? length : null;
}
