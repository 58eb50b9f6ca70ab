// DjangoChat RX: what the message box's pickers offer (used by picker.js; no imports, so
// tests/unit/test_picker_js.py runs it under Node): @ mentions after a space or at the start, and / commands
// at the very start of the box ("//" escapes: no list).

const SHOWN = 8;

export const PICKERS = Object.freeze([
  {
    id: "mention-picker",
    label: "Mention someone",
    list: "names",
    query(before) {
      const found = /(^|\s)@([^\s@]{0,32})$/.exec(before);
      return found && { start: before.length - found[2].length - 1, typed: found[2].toLowerCase() };
    },
    // Each is a username, or "name\tgroup · N members" for a user group (state/room_composer.py).
    items: (names) =>
      names.map((line) => {
        const [name, help] = line.split("\t");
        return { key: name.toLowerCase(), insert: `@${name}`, name: `@${name}`, help: help || "" };
      }),
  },
  {
    id: "command-picker",
    label: "Commands",
    list: "commands",
    query(before) {
      const found = /^\/([^\s/]{0,32})$/.exec(before);
      return found && { start: 0, typed: `/${found[1].toLowerCase()}` };
    },
    // Each command is "name\tusage\thelp" (state/room.py load_commands).
    items: (lines) =>
      lines.map((line) => {
        const [name, usage, help] = line.split("\t");
        return { key: name, insert: name, name, usage, help };
      }),
  },
]);

// What to offer for the text before the caret, given the lists loaded so far ({names, commands}, each an
// array or empty): {want} names a list to load first; {shown: {id, label, start, items}} the picker to show
// (at most SHOWN items starting with what was typed); {} nothing.
export function offer(before, lists) {
  for (const picker of PICKERS) {
    const found = picker.query(before);
    if (!found) continue;
    const raw = lists[picker.list];
    if (!raw || !raw.length) return { want: picker.list };
    const items = picker.items(raw)
      .filter((item) => item.key.startsWith(found.typed))
      .slice(0, SHOWN);
    if (!items.length) return {};
    return { shown: { id: picker.id, label: picker.label, start: found.start, items } };
  }
  return {};
}

// The box's text with `insert` and a space put in place of what was typed from `start` to the caret (`end`),
// and where the caret goes.
export function chosen(value, start, end, insert) {
  const text = `${insert} `;
  return { value: `${value.slice(0, start)}${text}${value.slice(end)}`, caret: start + text.length };
}

// The highlighted item after moving `by` (1 down, -1 up) among `count`, wrapping round.
export function moved(active, by, count) {
  return (active + by + count) % count;
}
