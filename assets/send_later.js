// DjangoChat RX: SendLater (components/later.py), around the composer's clock menu (drawn in Python). A click on a
// button of it marked data-later="<choice>" reads the message box (`box`, an element id) and, for "pick", the menu's
// date-time input (`picker`, an element id), and calls onSchedule(text, choice, picked): the server schedules the
// text (state/room_later.py). The menu is portaled out of this element, but React's events bubble through portals.
// Reflex event props, not eval: the app's Content-Security-Policy forbids evaluating strings.
import { createElement as h, useState } from "react";
import { laterProblem, laterRequest } from "$/public/send_later_core.js";

export function SendLater({ box, picker, onSchedule, children }) {
  const [problem, setProblem] = useState("");
  const onClick = (event) => {
    const button = event.target.closest && event.target.closest("[data-later]");
    if (!button) return;
    const choice = button.dataset.later;
    const text = (document.getElementById(box) || {}).value || "";
    const picked = choice === "pick" ? (document.getElementById(picker) || {}).value || "" : "";
    const asked = laterRequest(choice, text, picked);
    setProblem(laterProblem(choice, text, picked));
    if (asked) onSchedule(...asked);
    else event.preventDefault();
  };
  return h(
    "span",
    { onClick, className: "send-later" },
    children,
    problem ? h("span", { role: "alert", className: "send-later-problem" }, problem) : null,
  );
}
