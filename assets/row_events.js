// DjangoChat RX: which message of a list the pointer or focus is on, for the tools drawn on one message at a time
// (MessageToolbar, message_toolbar.js; CodeCopy, code_copy.js): one set of listeners on the list, not one per row.

// A message of a list (components/message.py draws each with its id).
export const ROW = ".message[data-message-id]";

// Calls `move(kind, row)` as the pointer comes over a message of `list` ("pointer"), focus comes into one
// ("focus": `row` is that message, or null between messages) or either leaves the list ("leave", row null).
// Returns what takes the listeners away (a React effect's cleanup).
export function followRows(list, move) {
  const rowOf = (target) => {
    const found = target && target.closest ? target.closest(ROW) : null;
    return found && list.contains(found) ? found : null;
  };
  const onPointer = (event) => move("pointer", rowOf(event.target));
  const onFocus = (event) => move("focus", rowOf(event.target));
  const onLeave = () => move("leave", null);
  const onBlur = (event) => {
    if (!event.relatedTarget || !list.contains(event.relatedTarget)) move("leave", null);
  };
  list.addEventListener("pointerover", onPointer);
  list.addEventListener("focusin", onFocus);
  list.addEventListener("pointerleave", onLeave);
  list.addEventListener("focusout", onBlur);
  return () => {
    list.removeEventListener("pointerover", onPointer);
    list.removeEventListener("focusin", onFocus);
    list.removeEventListener("pointerleave", onLeave);
    list.removeEventListener("focusout", onBlur);
  };
}
