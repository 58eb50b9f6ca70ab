// DjangoChat RX: what QuietNotice (quiet_notice.js, components/quiet_notice.py) tells a sender before they send:
// which of the people they write to may not be disturbed now, the time where they are, and when they will be
// notified (no imports: tests/unit/test_quiet_notice_js.py runs it under Node).

// "HH:mm" of `date` on the wall clock of `zone` (an IANA name; UTC when unknown or "").
export function clockIn(date, zone) {
  try {
    return new Intl.DateTimeFormat("en-GB", { timeZone: zone || "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
  } catch {
    return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
  }
}

// The @names of `text`, case-folded (what markup.py's mention rule reads: letters, digits, _ and -).
export function mentioned(text) {
  const names = new Set();
  for (const found of (text || "").matchAll(/(^|[^\w@])@([\w-]{1,32})/g)) names.add(found[2].toLowerCase());
  return names;
}

// The lines to show for `text` typed now (`now`, a Date): `people` are the quiet people of the room
// ([{name, zone, until, groups}], `until` ISO: when they may be disturbed again, `groups` the user groups they are
// in, space-separated); in a direct conversation (`direct`) all of them, elsewhere those the text mentions by name
// or by one of their groups. A person whose quiet time is over is left out.
export function quietLines(people, text, now, direct) {
  const named = mentioned(text);
  const lines = [];
  for (const person of people || []) {
    const until = new Date(person.until);
    if (Number.isNaN(until.getTime()) || until <= now) continue;
    const groups = String(person.groups || "").split(" ").filter(Boolean);
    if (!direct && !named.has(String(person.name).toLowerCase()) && !groups.some((group) => named.has(group))) continue;
    const sameDay = clockIn(until, person.zone) && until - now < 20 * 3600 * 1000;
    const when = sameDay
      ? `${clockIn(until, person.zone)} their time`
      : `${new Intl.DateTimeFormat("en-GB", { timeZone: person.zone || "UTC", weekday: "short" }).format(until)} ${clockIn(until, person.zone)} their time`;
    lines.push({
      name: person.name,
      until: person.until,
      text: `${person.name}: ${clockIn(now, person.zone)} for them, notified at ${when}`,
    });
  }
  return lines;
}
