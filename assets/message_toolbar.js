// DjangoChat RX: MessageToolbar (components/message_toolbar.py), the one toolbar of a list of messages. Its
// children are the tool buttons (drawn in Python, each marked data-tool="edit", "pin", ...); it shows them on
// the message the pointer is over or focus is in (inside that row's header line, so the Tab order runs from the
// message into its tools), and a click on a tool calls the event prop of that tool with the message's id (data-tool="pin"
// calls onPin(id)). Which tools a message offers is the stylesheet's business (chat.css: the row's data-mine,
// data-deleted, data-pinned). One toolbar for the list instead of five buttons in every row: a row renders its
// message only. Reflex event props, not eval: the app's Content-Security-Policy forbids evaluating strings.
import { createElement as h, Fragment, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { handlerName, nextRow } from "$/public/message_toolbar_core.js";
import { ROW, followRows } from "$/public/row_events.js";

// The row of message `id` in `list` (null: none, or no id).
const rowById = (list, id) => (id ? list.querySelector(`${ROW}[data-message-id="${id}"]`) : null);

// `scope`: a selector of the element around the list (closest to the toolbar); `heldId`: the message whose
// picker is open (0: none); `label`: the toolbar's accessible name; on<Tool>(id): one prop per tool.
export function MessageToolbar({ scope, heldId, label, archived, children, ...handlers }) {
  const anchor = useRef(null);
  const bar = useRef(null);
  const root = useRef(null);
  const tools = useRef(handlers);
  tools.current = handlers;
  const held = useRef(heldId);
  held.current = heldId;
  const [row, setRow] = useState(null);

  useEffect(() => {
    const list = anchor.current && anchor.current.closest(scope);
    root.current = list;
    if (!list) return undefined;
    const focusInside = () => Boolean(bar.current && bar.current.contains(document.activeElement));
    return followRows(list, (kind, found) =>
      setRow((current) =>
        nextRow({ current, kind, row: found, held: rowById(list, held.current), focusInside: focusInside() }),
      ),
    );
  }, [scope]);

  // The message whose picker opened keeps the toolbar; when it closes, the pointer decides again.
  useEffect(() => {
    const found = root.current && rowById(root.current, heldId);
    if (found) setRow((current) => nextRow({ current, kind: "held", held: found }));
  }, [heldId]);

  const id = row && row.isConnected ? Number(row.dataset.messageId) : 0;
  const onClick = (event) => {
    const button = event.target.closest("[data-tool]");
    const handler = button && id ? tools.current[handlerName(button.dataset.tool)] : null;
    if (handler) handler(id);
  };
  const toolbar = id
    ? h(
        "div",
        {
          ref: bar,
          role: "toolbar",
          "aria-label": label,
          className: "message-tools",
          "data-archived": archived ? "true" : "false",
          onClick,
        },
        children,
      )
    : null;
  // In the row's header line: the stylesheet places it at that line's right end (chat.css .message-tools).
  const place = row && (row.querySelector(".message-header") || row);
  return h(Fragment, null, h("span", { ref: anchor, hidden: true }), toolbar && createPortal(toolbar, place, String(id)));
}
