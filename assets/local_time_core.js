// DjangoChat RX: how LocalTime (local_time.js) writes a time (no imports: tests/unit/test_local_time_js.py runs
// it under Node).

const two = (n) => String(n).padStart(2, "0");

// "HH:mm" of an ISO 8601 time in the reader's time zone ("" when it is no time).
export function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : `${two(date.getHours())}:${two(date.getMinutes())}`;
}
