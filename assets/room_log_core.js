// DjangoChat RX: the rules RoomLog (room_log.js) applies to a room's history (no imports, so
// tests/unit/test_room_log_js.py runs it under Node): when the reader is at the newest message, day
// separators and grouping in the reader's time zone, when to tell the server what was read, which message
// the address asks to show, and when a new message shows "Jump to latest".

// Consecutive messages of one author this close together are drawn as one group.
export const GROUP_MS = 5 * 60 * 1000;
// Within this many pixels of the bottom the reader counts as at the newest message.
export const NEAR_BOTTOM_PX = 48;

export function nearBottom({ scrollHeight, scrollTop, clientHeight }) {
  return scrollHeight - scrollTop - clientHeight < NEAR_BOTTOM_PX;
}

export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

// "Today", "Yesterday", else the weekday and date (with the year when it is not this year's).
export function dayLabel(date, today = new Date()) {
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  const options = { weekday: "long", month: "long", day: "numeric" };
  if (date.getFullYear() !== today.getFullYear()) options.year = "numeric";
  return date.toLocaleDateString(undefined, options);
}

// For rows [{author, createdAt, deleted, follows}] in order (`follows`: the row comes right after the one
// before it, nothing drawn between them), each row's day separator (a label or null) and whether it is
// grouped with the row before: same author, same day, within GROUP_MS, the one before not deleted.
export function decorations(rows, today = new Date()) {
  let previous = null;
  return rows.map((row) => {
    const at = new Date(row.createdAt);
    const before = previous && new Date(previous.createdAt);
    const newDay = !before || dayKey(before) !== dayKey(at);
    const grouped =
      !newDay && previous.author === row.author && !previous.deleted && row.follows && at - before < GROUP_MS;
    previous = row;
    return { day: newDay ? dayLabel(at, today) : null, grouped };
  });
}

// One row's drawing from the row before it (`previous`, null for the first row), as decorations() draws it in a
// list: what RoomLog redraws when one row comes, goes or changes.
export function decorateAfter(previous, row, today = new Date()) {
  return previous ? decorations([previous, row], today)[1] : decorations([row], today)[0];
}

// The message id an address's query asks to show (`?message=<id>`, from a search result or a quote), or null.
export function targetOf(search) {
  return new URLSearchParams(search).get("message");
}

// Whether to tell the server the room is read up to `newest` now: the page is visible, the reader is at the
// newest message, and that is newer than what was told last (`told`).
export function readDue({ visible, atBottom, newest, told }) {
  return visible && atBottom && newest > 0 && newest !== told;
}

// Whether a change of the newest message shown (`before` -> `after`, ids) is a new message arriving, which a
// reader scrolled up is told of ("Jump to latest"), not the first rows of the page or a trim.
export function arrived(before, after) {
  return before !== null && after !== null && Number(after) > Number(before);
}
