// DjangoChat RX: Picker (components/composer.py), the @ mention and / command list under the message box
// (`box`, an element id). What it offers is picker_core.js's; the names and commands are Reflex vars
// (`names`, `commands`) loaded on first use through `onWantNames` / `onWantCommands`. Its keys (Up, Down,
// Enter, Tab, Escape) come through the page's one keyboard handler (keys.js). Reflex event props, not eval:
// the app's Content-Security-Policy forbids evaluating strings.
import { createElement as h, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useKeys } from "$/public/keys.js";
import { chosen, moved, offer } from "$/public/picker_core.js";

function Row({ item }) {
  if (!item.usage && !item.help) return item.name;
  return [
    h("strong", { key: "name", className: "picker-name" }, item.name),
    h("span", { key: "usage", className: "picker-usage" }, item.usage ? ` ${item.usage}` : ""),
    h("span", { key: "help", className: "picker-help" }, item.help),
  ];
}

export function Picker({ box, names, commands, onWantNames, onWantCommands }) {
  const [shown, setShown] = useState(null); // {id, label, start, items, active, left, bottom}
  const current = useRef(null);
  current.current = shown;
  const props = useRef({});
  props.current = { names, commands, onWantNames, onWantCommands };
  const asked = useRef(new Set());

  const update = (element) => {
    const { names, commands, onWantNames, onWantCommands } = props.current;
    const found = offer(element.value.slice(0, element.selectionStart), { names, commands });
    if (found.want && !asked.current.has(found.want)) {
      asked.current.add(found.want);
      const want = found.want === "names" ? onWantNames : onWantCommands;
      if (want) want();
    }
    if (!found.shown) return setShown(null);
    const rect = element.getBoundingClientRect();
    const left = rect.left + window.scrollX;
    const bottom = window.innerHeight - rect.top - window.scrollY + 4;
    setShown({ ...found.shown, active: 0, left, bottom });
  };

  const choose = (index) => {
    const element = document.getElementById(box);
    const open = current.current;
    if (!element || !open) return;
    const next = chosen(element.value, open.start, element.selectionStart, open.items[index].insert);
    element.value = next.value;
    element.setSelectionRange(next.caret, next.caret);
    setShown(null);
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.focus();
  };

  useKeys({
    picker: {
      open: () => Boolean(current.current),
      move: (by) => setShown((open) => open && { ...open, active: moved(open.active, by, open.items.length) }),
      choose: () => current.current && choose(current.current.active),
      close: () => setShown(null),
    },
  });

  useEffect(() => {
    const element = document.getElementById(box);
    if (!element) return undefined;
    const onInput = () => update(element);
    let closing = null;
    const onBlur = () => {
      closing = setTimeout(() => setShown(null), 150);
    };
    element.addEventListener("input", onInput);
    element.addEventListener("blur", onBlur);
    return () => {
      clearTimeout(closing);
      element.removeEventListener("input", onInput);
      element.removeEventListener("blur", onBlur);
    };
  }, [box]);

  // A list that arrives while the user waits for it is offered at once.
  useEffect(() => {
    const element = document.getElementById(box);
    if (element && document.activeElement === element) update(element);
  }, [names, commands]);

  if (!shown) return null;
  const list = h(
    "ul",
    {
      id: shown.id,
      className: "picker",
      role: "listbox",
      "aria-label": shown.label,
      style: { left: `${shown.left}px`, bottom: `${shown.bottom}px` },
    },
    shown.items.map((item, index) =>
      h(
        "li",
        {
          key: item.key,
          role: "option",
          "aria-selected": index === shown.active ? "true" : "false",
          onMouseDown: (event) => {
            event.preventDefault();
            choose(index);
          },
        },
        h(Row, { item }),
      ),
    ),
  );
  return createPortal(list, document.body);
}
