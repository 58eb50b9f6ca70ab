// DjangoChat RX: LocalTime (components/local_time.py), a message's time as the reader's clock shows it, the full
// time on hover. A plain element: no date library to fetch before the first message can show, and no timer (a
// message's time never changes, where a "minutes ago" label would).
import { createElement as h } from "react";
import { clock } from "$/public/local_time_core.js";

export function LocalTime({ value, className, style }) {
  return h("time", { dateTime: value, title: value, className, style }, clock(value));
}
