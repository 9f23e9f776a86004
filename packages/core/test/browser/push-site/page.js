// The app's page: the page side of @chat/core/service-worker (the built bundle, as an app ships
// it), and a few functions the test calls through page.evaluate.
import { onOpenChannel, reportActiveChannel } from '/service-worker.js';

const opened = [];
onOpenChannel((message) => opened.push(message));
const settled = [];
navigator.serviceWorker.addEventListener('message', (event) => {
  if (event.data?.type === 'test.push-settled') settled.push(event.data);
});

await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
const registration = await navigator.serviceWorker.ready;

window.chatTest = {
  opened,
  /** The pushes the worker is done with: `{ n, waited: ['fulfilled' | 'rejected', ...] }`. */
  settled,
  /** The notifications the worker shows, as plain objects. */
  async notifications() {
    return (await registration.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      icon: n.icon,
      renotify: n.renotify,
      data: n.data,
    }));
  },
  report: (cid) => reportActiveChannel(cid),
  /** Asks the worker to click the notification tagged `tag` (see sw.js). */
  click: (tag) => registration.active.postMessage({ type: 'test.click', tag }),
  /** What the worker sees of this window. */
  probe: () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(event.data);
      registration.active.postMessage({ type: 'test.probe' }, [channel.port2]);
    }),
};
document.body.dataset.ready = 'true';
