// DjangoChat RX: QuietNotice (components/quiet_notice.py). Under the message box (`box`, an element id) it says,
// as the text is typed, which of the people written to may not be disturbed now and when they will hear of it
// (quiet_notice_core.js). The first keystroke of each message asks the server for the room's quiet people now
// (`onWant`: one small query a message, never a keystroke); each line offers "Schedule for then":
// `onSchedule(text, "at", until)` sends the box's text when they may be disturbed again (state/room_later.py).
import { createElement as h, useEffect, useRef, useState } from "react";
import { quietLines } from "$/public/quiet_notice_core.js";

export function QuietNotice({ box, people, direct, onWant, onSchedule, onUrgent, scheduling }) {
  const [text, setText] = useState("");
  const started = useRef(false);
  useEffect(() => {
    const element = document.getElementById(box);
    if (!element) return undefined;
    const typed = () => {
      setText(element.value);
      const writing = element.value.trim() !== "";
      if (writing && !started.current && onWant) onWant();
      started.current = writing;
    };
    // Sent: the server empties the box without an input event (rx.set_value), so the form's submit ends the message.
    const sent = () => {
      setText("");
      started.current = false;
    };
    const form = element.form;
    element.addEventListener("input", typed);
    if (form) form.addEventListener("submit", sent);
    return () => {
      element.removeEventListener("input", typed);
      if (form) form.removeEventListener("submit", sent);
    };
  }, [box]);
  const lines = text.trim() ? quietLines(people, text, new Date(), direct) : [];
  if (!lines.length) return null;
  const boxText = () => {
    const element = document.getElementById(box);
    setText(""); // the server empties the box (rx.set_value or the sent frame: no input event)
    started.current = false;
    return element ? element.value : text;
  };
  // In a direct conversation: post now and notify them at once, as urgent (a few a day: the server counts).
  const urgent =
    direct && onUrgent
      ? h("button", { type: "button", className: "quiet-schedule", onClick: () => onUrgent(boxText()) }, "Notify now (urgent)")
      : null;
  return h(
    "div",
    { className: "quiet-notice", role: "status" },
    urgent,
    lines.map((line) =>
      h(
        "div",
        { key: line.name, className: "quiet-line" },
        h("span", null, line.text),
        scheduling && onSchedule
          ? h(
              "button",
              {
                type: "button",
                className: "quiet-schedule",
                onClick: () => onSchedule(boxText(), "at", line.until),
              },
              `Send when ${line.name} is back`,
            )
          : null,
      ),
    ),
  );
}
