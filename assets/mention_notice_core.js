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
    // A notice of our own (the summary when a quiet time ends: availability.py) brings its title.
    title: typeof notice.title === "string" && notice.title ? notice.title : `${notice.author} mentioned you in ${notice.room}`,
    body: notice.text,
    // The same tag as a push of the same mention (push.py): a hidden tab and the push show one.
    tag: `djangochat-${notice.id}`,
    href: noticeHref(notice),
  };
}

// Where a click on the notice goes: a mention in a thread opens the thread beside its room (`path`), a summary
// the rooms list; any other, the room.
export function noticeHref(notice) {
  const path =
    typeof notice.path === "string" && (notice.path.startsWith("/rooms/") || notice.path === "/rooms") ? notice.path : null;
  return path || `/rooms/${encodeURIComponent(notice.slug)}`;
}

// Whether to offer "Notify me of mentions": the browser has notifications and has not been asked yet.
export function offerNotifications(supported, permission) {
  return supported && permission === "default";
}
