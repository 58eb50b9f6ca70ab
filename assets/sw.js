// The service worker: shows the Web Push notifications the server sends (mentions, direct messages)
// while no tab of the app is in front, and opens the room at the message when one is clicked.
// djangochat_rx/push.py writes each push as JSON: {title, body, url, tag}.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const notice = event.data ? event.data.json() : {};
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      // Someone looking at the app sees it there; the page's own notice covers a hidden tab.
      if (windows.some((client) => client.visibilityState === "visible" && client.focused)) return;
      return self.registration.showNotification(notice.title || "DjangoChat RX", {
        body: notice.body || "",
        tag: notice.tag,
        icon: "/icons/icon-192.png",
        data: { url: notice.url || "/rooms" },
      });
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only a page of this app: a notice whose link names another origin opens the rooms page instead.
  let url = new URL(event.notification.data.url || "/rooms", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/rooms", self.location.origin);
  url = url.href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => "navigate" in client);
      if (open) return open.focus().then(() => open.navigate(url));
      return self.clients.openWindow(url);
    }),
  );
});
