// DjangoChat RX: CodeCopy (components/code_copy.py), the copy buttons on the code blocks of a list of messages.
// It puts a "Copy" button in each code block (<pre>) of the message the pointer is over or focus is in, so a
// keyboard user tabs from the message into its buttons; the stylesheet shows a button while its block is hovered
// or it has focus (chat.css .code-copy). One set of listeners on the list, not one per block: messages render
// their HTML from the server (rx.html), which holds no buttons.
import { createElement as h, Fragment, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { SAID_MS, buttonText, codeToCopy, nextRow, sameBlocks } from "$/public/code_copy_core.js";
import { followRows } from "$/public/row_events.js";

const BLOCK = ".message-body pre";
const NONE = { row: null, blocks: [] };

// `scope`: a selector of the element around the list (the closest such element to this component).
export function CodeCopy({ scope }) {
  const anchor = useRef(null);
  const [shown, setShown] = useState(NONE);
  // The block whose button says how its copy went, and how ("copied" or "failed").
  const [said, setSaid] = useState({ block: null, result: "" });
  const timer = useRef(0);

  useEffect(() => {
    const list = anchor.current && anchor.current.closest(scope);
    if (!list) return undefined;
    return followRows(list, (kind, found) =>
      setShown((current) => {
        const active = document.activeElement;
        const focusShown = Boolean(current.row && current.row.contains(active) && active.matches(":focus-visible"));
        const row = nextRow({ current: current.row, kind, row: found, focusShown });
        const blocks = row ? Array.from(row.querySelectorAll(BLOCK)) : [];
        return row === current.row && sameBlocks(blocks, current.blocks) ? current : { row, blocks };
      }),
    );
  }, [scope]);

  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = (block) => {
    const code = block.querySelector("code") || block;
    const say = (result) => {
      clearTimeout(timer.current);
      setSaid({ block, result });
      timer.current = setTimeout(() => setSaid({ block: null, result: "" }), SAID_MS);
    };
    // No navigator.clipboard on a page not served over HTTPS (or localhost): the button says "Not copied".
    const writing = navigator.clipboard
      ? navigator.clipboard.writeText(codeToCopy(code.textContent))
      : Promise.reject(new Error("no clipboard"));
    writing.then(
      () => say("copied"),
      () => say("failed"),
    );
  };
  const buttons = shown.blocks
    .filter((block) => block.isConnected)
    .map((block, index) => {
      const result = said.block === block ? said.result : "";
      const button = h(
        "button",
        {
          type: "button",
          className: "code-copy",
          title: "Copy code",
          "data-said": result || undefined,
          onClick: () => copy(block),
        },
        buttonText(result),
      );
      return createPortal(button, block, `${shown.row.dataset.messageId}-${index}`);
    });
  const status = said.result ? `Code ${buttonText(said.result).toLowerCase()}` : "";
  return h(
    Fragment,
    null,
    h("span", { ref: anchor, hidden: true }),
    h("span", { role: "status", className: "sr-only" }, status),
    ...buttons,
  );
}
