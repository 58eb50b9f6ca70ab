// DjangoChat RX: the message box's comforts that Draft (draft.js) applies (no imports, so
// tests/unit/test_draft_js.py runs it under Node): where a room's unsent text is kept, and the counter.

// The localStorage key of the unsent text in the room at `path` (one draft per room).
export function draftKey(path) {
  return `djangochat:draft:${path}`;
}

// The counter under the box for `used` characters of `limit`: nothing until 80 % of the limit, then
// "used / limit"; `over` past the limit.
export function counter(used, limit) {
  return { text: used > limit * 0.8 ? `${used} / ${limit}` : "", over: used > limit };
}
