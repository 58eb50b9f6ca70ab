// DjangoChat RX: the rules of CodeCopy (code_copy.js), the copy buttons on a list of messages' code blocks (no
// imports, so tests/unit/test_code_copy_js.py runs it under Node): which message's blocks have them, what a
// button copies and what it says.

// How long a button says "Copied" (or "Not copied") before it says "Copy" again, in ms.
export const SAID_MS = 1500;

// The message whose code blocks carry buttons after `kind` ("pointer": the pointer came over `row`; "focus":
// focus came into `row`; "leave": the pointer or focus left the list), from `current`. Keyboard focus shown in
// the current message (`focusShown`: on it or on one of its buttons) keeps the buttons there, so the mouse does
// not take away the button a keyboard user is tabbing to; between messages they stay where they were.
export function nextRow({ current, kind, row = null, focusShown = false }) {
  if (kind === "leave") return focusShown ? current : null;
  if (kind === "pointer" && focusShown) return current;
  return row || current;
}

// Whether two lists of code blocks are the same blocks in the same order (the buttons need no new render).
export function sameBlocks(a, b) {
  return a.length === b.length && a.every((block, index) => block === b[index]);
}

// What a block's button copies: its code as shown, without the newline Markdown ends every block with.
export function codeToCopy(text) {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

// What a button says: "Copy", or for SAID_MS after a click "Copied" (`result` "copied") or "Not copied"
// ("failed": the browser refused, e.g. on a page not served over HTTPS).
export function buttonText(result) {
  return { copied: "Copied", failed: "Not copied" }[result] || "Copy";
}
