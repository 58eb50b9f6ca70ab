// DjangoChat RX: Draft (components/composer.py) keeps what is typed in the message box (`box`, an element id)
// per room in localStorage until it is sent, puts it back when the room opens again, fills the character
// counter (`counter`, an element id; `limit` characters) and keeps the box's height fitting its text (what
// Reflex's auto_height does on input) also when the server empties the box after a send (rx.set_value
// writes the value and fires no event: Draft sees the write itself). Renders nothing.
import { useEffect } from "react";
import { useLocation } from "react-router";
import { counter, draftKey } from "$/public/draft_core.js";

function fit(element) {
  element.style.height = "auto";
  element.style.height = `${element.scrollHeight}px`;
}

function count(element, counterId, limit) {
  const shown = document.getElementById(counterId);
  if (!shown) return;
  const { text, over } = counter(element.value.length, limit);
  shown.textContent = text;
  shown.dataset.over = over ? "true" : "false";
}

// Calls `written(value)` after each write of `element.value` by a script; returns the undo.
function onValueWritten(element, written) {
  const own = Object.getOwnPropertyDescriptor(element, "value");
  const base = own || Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), "value");
  Object.defineProperty(element, "value", {
    configurable: true,
    enumerable: base.enumerable,
    get() {
      return base.get.call(this);
    },
    set(value) {
      base.set.call(this, value);
      written(value);
    },
  });
  return () => {
    if (own) Object.defineProperty(element, "value", own);
    else delete element.value;
  };
}

export function Draft({ box, counter: counterId, limit }) {
  const address = useLocation();
  useEffect(() => {
    const element = document.getElementById(box);
    if (!element) return undefined;
    const key = draftKey(address.pathname);
    const saved = localStorage.getItem(key);
    if (saved && !element.value) {
      element.value = saved;
      fit(element);
    }
    count(element, counterId, limit);
    const onInput = () => {
      if (element.value) localStorage.setItem(key, element.value);
      else localStorage.removeItem(key);
      count(element, counterId, limit);
    };
    const onSubmit = () => localStorage.removeItem(key);
    const form = element.form;
    element.addEventListener("input", onInput);
    if (form) form.addEventListener("submit", onSubmit, true);
    const undo = onValueWritten(element, (value) => {
      if (!value) {
        fit(element);
        count(element, counterId, limit);
      }
    });
    return () => {
      undo();
      element.removeEventListener("input", onInput);
      if (form) form.removeEventListener("submit", onSubmit, true);
    };
  }, [box, counterId, limit, address.pathname]);
  return null;
}
