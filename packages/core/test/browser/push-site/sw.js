// The app's service worker, as the README shows it, plus test hooks:
// - each push reports to the page when the work it was kept alive for is done (and how many
//   `waitUntil` calls handleChatPush made), so the test reads notifications only once a push is
//   settled: Chromium drops a notification that `getNotifications()` reads while it is being
//   shown (stored but not displayed yet), so polling during a push is racy;
// - a click on a shown notification: the browser offers no way to click one from a test, so it
//   runs the very function the notificationclick listener runs, on a real Notification;
// - a probe of the windows as the worker sees them.
import { handleChatPush, openChatNotification } from '/service-worker.js';

const options = {
  urlFor: (cid) => `/?channel=${encodeURIComponent(cid)}`,
  fallbackTitle: 'New message',
  icon: '/icon.png',
};

let pushes = 0;
const kept = new WeakMap();
// Before handleChatPush's listener: note the promises it keeps the event alive for.
self.addEventListener('push', (event) => {
  const promises = [];
  kept.set(event, promises);
  const waitUntil = event.waitUntil.bind(event);
  event.waitUntil = (promise) => {
    promises.push(promise);
    waitUntil(promise);
  };
});

handleChatPush(self, options);

// After it: tell the page once they are settled.
self.addEventListener('push', (event) => {
  const promises = kept.get(event);
  const n = ++pushes;
  event.waitUntil(
    Promise.allSettled(promises).then(async (results) => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const report = { type: 'test.push-settled', n, waited: results.map((r) => r.status) };
      for (const window of windows) window.postMessage(report);
    }),
  );
});

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  if (event.data?.type === 'test.click') {
    event.waitUntil(
      self.registration.getNotifications({ tag: event.data.tag }).then(([notification]) => {
        if (!notification) throw new Error(`no notification tagged ${event.data.tag}`);
        return openChatNotification(self, notification, options);
      }),
    );
  }
  if (event.data?.type === 'test.probe') {
    event.waitUntil(
      self.clients
        .matchAll({ type: 'window', includeUncontrolled: true })
        .then((windows) =>
          event.ports[0].postMessage(
            windows.map((w) => ({ url: w.url, focused: w.focused, visibilityState: w.visibilityState })),
          ),
        ),
    );
  }
});
