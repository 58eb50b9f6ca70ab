// DjangoChat RX: browser notifications for mentions (components/notices.py). MentionNotice shows `notice`
// (AuthState.notice, JSON) as a notification when it changes while the page is hidden (mention_notice_core.js);
// a click opens the room or thread. NotifyOffer shows its children (the "Notify me of mentions" button) while
// the browser has not been asked, and asks on a click. Both render no markup of their own beyond that.
import { createElement as h, useEffect, useRef, useState } from "react";
import { noticeToShow, offerNotifications } from "$/public/mention_notice_core.js";

const supported = () => typeof window !== "undefined" && "Notification" in window;

export function MentionNotice({ notice }) {
  const last = useRef(null);
  useEffect(() => {
    if (!notice || notice === last.current) return;
    const first = last.current === null;
    last.current = notice;
    const shown = noticeToShow(notice, {
      first,
      visible: document.visibilityState === "visible",
      permission: supported() ? Notification.permission : "denied",
    });
    if (!shown) return;
    const popup = new Notification(shown.title, { body: shown.body, tag: shown.tag });
    popup.onclick = () => {
      window.focus();
      location.assign(shown.href);
    };
  }, [notice]);
  return null;
}

export function NotifyOffer({ children }) {
  const [offered, setOffered] = useState(false);
  const check = () => setOffered(offerNotifications(supported(), supported() ? Notification.permission : ""));
  useEffect(check, []);
  const ask = () => Notification.requestPermission().then(check);
  return h("span", { className: "notify-offer", hidden: !offered, onClick: ask }, children);
}
