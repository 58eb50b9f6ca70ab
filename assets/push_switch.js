// DjangoChat RX: Web Push on this device, for components/push.py (PushSwitch renders nothing).
//
// Each new value of the `request` prop ("check:<n>", "subscribe:<n>", "unsubscribe:<n>", set by
// state/push.py) runs once: register the service worker (/sw.js), ask the permission, subscribe with the
// server's VAPID key or stop; the answer goes to `onResult` as a plain object
// {action, ok, subscribed?, subscription?, endpoint?, error?}. Reflex event props, not eval: the app's
// Content-Security-Policy forbids evaluating strings, which rx.call_script needs.
import { useEffect, useRef } from "react";

const NOT_HERE = "This browser cannot show notifications from a closed tab.";

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

async function registration() {
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  return navigator.serviceWorker.ready;
}

function keyBytes(key) {
  const base64 = (key + "===".slice((key.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function check() {
  if (!supported()) return { ok: false, error: NOT_HERE };
  const subscription = await (await registration()).pushManager.getSubscription();
  return { ok: true, subscribed: !!subscription };
}

async function subscribe(key) {
  if (!supported()) return { ok: false, error: NOT_HERE };
  if ((await Notification.requestPermission()) !== "granted") {
    return { ok: false, error: "Notifications are blocked for this site in the browser's settings." };
  }
  const manager = (await registration()).pushManager;
  const subscription = await manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  return { ok: true, subscription: subscription.toJSON() };
}

async function unsubscribe() {
  const subscription = await (await registration()).pushManager.getSubscription();
  if (!subscription) return { ok: true, endpoint: "" };
  const endpoint = subscription.endpoint;
  await subscription.unsubscribe();
  return { ok: true, endpoint };
}

export function PushSwitch({ vapidKey, request, onResult }) {
  const done = useRef("");
  useEffect(() => {
    if (!request || request === done.current) return;
    done.current = request;
    const action = request.split(":")[0];
    const work = action === "subscribe" ? subscribe(vapidKey) : action === "unsubscribe" ? unsubscribe() : check();
    work
      .catch((error) => ({ ok: false, error: `This browser could not do it (${error.name}: ${error.message}).` }))
      .then((answer) => onResult && onResult({ action, ...answer }));
  }, [request, vapidKey, onResult]);
  return null;
}
