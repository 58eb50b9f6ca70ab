// DjangoChat RX: browser notifications for mentions (components/notices.py). MentionNotice shows `notice`
// (AuthState.notice, JSON) as a notification when it changes while the page is hidden (mention_notice_core.js);
// a click opens the room or thread. NotifyOffer, inside a menu (the room's notifications menu), is an item holding
// its children ("Notify me of mentions") and a separator after it while the browser has not been asked; choosing
// the item asks. Neither renders markup of its own beyond that.
import { Fragment, createElement as h, useEffect, useRef, useState } from "react";
import { DropdownMenu } from "@radix-ui/themes";
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

export function NotifyOffer({ children, ...props }) {
  const [offered, setOffered] = useState(false);
  const check = () => setOffered(offerNotifications(supported(), supported() ? Notification.permission : ""));
  useEffect(check, []);
  if (!offered) return null;
  // Radix calls onSelect within the click or key press: the browser counts it as the user's own request.
  const ask = () => Notification.requestPermission().then(check);
  return h(Fragment, null, h(DropdownMenu.Item, { ...props, onSelect: ask }, children), h(DropdownMenu.Separator));
}
