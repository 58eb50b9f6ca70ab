// DjangoChat RX: the rule of SendLater (send_later.js): what a choice of the composer's clock menu asks the server
// (no imports, so tests/unit/test_send_later_js.py runs it under Node).

// The arguments of onSchedule(text, choice, picked) for a click on a button marked data-later=`choice` ("1h",
// "tomorrow", "monday" or "pick"), with the box's `text` and the date-time input's `picked` value; null when there
// is nothing to schedule (an empty box) or no time was picked.
export function laterRequest(choice, text, picked) {
  if (!choice || typeof text !== "string" || !text.trim()) return null;
  if (choice === "pick") return picked ? [text, choice, picked] : null;
  return [text, choice, ""];
}

// What the menu says when a choice cannot be asked: why, or "" when it can.
export function laterProblem(choice, text, picked) {
  if (typeof text !== "string" || !text.trim()) return "Write the message first.";
  if (choice === "pick" && !picked) return "Choose a date and a time.";
  return "";
}
