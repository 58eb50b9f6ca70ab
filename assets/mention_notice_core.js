// DjangoChat RX: when a mention becomes a browser notification (used by mention_notice.js; no imports, so
// tests/unit/test_mention_notice_js.py runs it under Node).

// The notice to show for the notice var's new value `raw` (JSON, AuthState.notice), or null: not the value the
// page opened with (`first`), one with an id, only while the page is hidden and notifications are allowed.
export function noticeToShow(raw, { first, visible, permission }) {
  if (!raw || first) return null;
  let notice;
  try {
    notice = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!notice || !notice.id || visible || permission !== "granted") return null;
  return {
    // A notice of our own names itself (a reminder: actions/later.py; the summary when a quiet time ends:
    // availability.py); a mention says who and where.
    title: typeof notice.title === "string" && notice.title ? notice.title : `${notice.author} mentioned you in ${notice.room}`,
    body: notice.text,
    // The same tag as a push of the same mention (push.py): a hidden tab and the push show one.
    tag: `djangochat-${notice.id}`,
    href: noticeHref(notice),
  };
}

// Where a click on the notice goes: a mention in a thread opens the thread beside its room (`path`), a reminder
// its message (/messages/<id>) or the Reminders page, a quiet time's summary the rooms list; any other, the room.
const PLACES = ["/rooms/", "/messages/", "/reminders"];
export function noticeHref(notice) {
  const given = typeof notice.path === "string" ? notice.path : "";
  const path = PLACES.some((place) => given.startsWith(place)) || given === "/rooms" ? given : null;
  return path || `/rooms/${encodeURIComponent(notice.slug)}`;
}

// Whether to offer "Notify me of mentions": the browser has notifications and has not been asked yet.
export function offerNotifications(supported, permission) {
  return supported && permission === "default";
}
