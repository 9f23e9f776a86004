import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWindow, fakeScope } from './fake-scope';
import { handleChatPush } from './handle-chat-push';
import { openChatNotification } from './open-notification';
import type { ChatPushOptions } from './options';

const ORIGIN = 'https://chat.example';
const OPTIONS: ChatPushOptions = {
  urlFor: (cid) => `/?channel=${encodeURIComponent(cid)}`,
  fallbackTitle: 'New message',
  icon: '/icon.png',
};

function newMessage(cid: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message.new',
    cid,
    message_id: `m-${cid}`,
    sender_id: 'bob',
    title: `bob in ${cid}`,
    body: 'lunch?',
    badge: 2,
    tag: cid,
    ...extra,
  };
}

let sw: ReturnType<typeof fakeScope>;
let stop: () => void;
beforeEach(() => {
  sw = fakeScope({ origin: ORIGIN });
  stop = handleChatPush(sw.scope, OPTIONS);
});

describe('a message.new push', () => {
  it('shows a notification tagged by channel, with the title, body and the data a click needs', async () => {
    expect(await sw.push(newMessage('team:general'))).toBe(1);
    expect(sw.notifications).toHaveLength(1);
    const [shown] = sw.notifications;
    expect(shown!.title).toBe('bob in team:general');
    expect(shown!.options).toEqual({
      body: 'lunch?',
      tag: 'team:general',
      renotify: true,
      icon: '/icon.png',
      data: { cid: 'team:general', message_id: 'm-team:general', url: `${ORIGIN}/?channel=team%3Ageneral` },
    });
  });

  it('replaces the notification of the same channel and keeps the others', async () => {
    await sw.push(newMessage('team:general', { message_id: 'a', body: 'first' }));
    await sw.push(newMessage('team:random'));
    await sw.push(newMessage('team:general', { message_id: 'b', body: 'second' }));
    expect(sw.notifications.map((n) => [n.tag, (n.data as { message_id: string }).message_id])).toEqual([
      ['team:random', 'm-team:random'],
      ['team:general', 'b'],
    ]);
  });

  it('falls back to fallbackTitle and fallbackBody in privacy mode (no title, no body)', async () => {
    await sw.push(newMessage('team:general', { title: undefined, body: undefined }));
    expect(sw.notifications[0]!.title).toBe('New message');
    expect(sw.notifications[0]!.options).not.toHaveProperty('body');

    const other = fakeScope({ origin: ORIGIN });
    handleChatPush(other.scope, { fallbackBody: 'Open the app to read it' });
    await other.push(newMessage('team:general', { title: undefined, body: undefined }));
    expect(other.notifications[0]!.title).toBe('New message');
    expect(other.notifications[0]!.options).toMatchObject({ body: 'Open the app to read it' });
    // Without urlFor, the notification opens the scope with ?channel=.
    expect((other.notifications[0]!.data as { url: string }).url).toBe(
      `${ORIGIN}/app/?channel=team%3Ageneral`,
    );
  });

  it('sets the app badge to the unread total, and clears it at 0', async () => {
    await sw.push(newMessage('team:general', { badge: 5 }));
    expect(sw.badge.value).toBe(5);
    await sw.push({ type: 'message.read', cid: 'team:general', badge: 0, tag: 'team:general' });
    expect(sw.badge.calls).toEqual(['set 5', 'clear']);
    expect(sw.badge.value).toBeUndefined();
  });

  it('still shows where there is no Badging API, or it refuses', async () => {
    const bare = fakeScope({ origin: ORIGIN, badging: false });
    handleChatPush(bare.scope, OPTIONS);
    await bare.push(newMessage('team:general'));
    expect(bare.notifications).toHaveLength(1);

    sw.scope.navigator.setAppBadge = () => Promise.reject(new Error('NotAllowedError'));
    await sw.push(newMessage('team:general'));
    expect(sw.notifications).toHaveLength(1);
  });

  it('leaves the badge alone with appBadge: false', async () => {
    const quiet = fakeScope({ origin: ORIGIN });
    handleChatPush(quiet.scope, { appBadge: false });
    await quiet.push(newMessage('team:general', { badge: 4 }));
    expect(quiet.badge.calls).toEqual([]);
  });
});

describe('a window reading the channel', () => {
  it('holds the notification back only while a focused, visible window reports that channel', async () => {
    const reader = new FakeWindow('w1', `${ORIGIN}/`, true);
    sw.windows.push(reader);
    await sw.message({ type: 'chat.active-channel', cid: 'team:general' }, { id: 'w1' });

    await sw.push(newMessage('team:general', { badge: 9 }));
    expect(sw.notifications).toEqual([]);
    expect(sw.badge.value).toBe(9); // the badge still follows

    await sw.push(newMessage('team:random'));
    expect(sw.notifications.map((n) => n.tag)).toEqual(['team:random']);

    reader.visibilityState = 'hidden';
    await sw.push(newMessage('team:general'));
    expect(sw.notifications.map((n) => n.tag)).toEqual(['team:random', 'team:general']);
    sw.notifications.splice(0);

    reader.visibilityState = 'visible';
    reader.focused = false;
    await sw.push(newMessage('team:general'));
    expect(sw.notifications.map((n) => n.tag)).toEqual(['team:general']);
    sw.notifications.splice(0);

    reader.focused = true;
    await sw.message({ type: 'chat.active-channel', cid: null }, { id: 'w1' });
    await sw.push(newMessage('team:general'));
    expect(sw.notifications.map((n) => n.tag)).toEqual(['team:general']);
  });

  it('forgets a window once it is closed', async () => {
    sw.windows.push(new FakeWindow('w1', `${ORIGIN}/`, true));
    await sw.message({ type: 'chat.active-channel', cid: 'team:general' }, { id: 'w1' });
    sw.windows.splice(0);
    await sw.push(newMessage('team:general'));
    // A new window that happens to get the same id reports nothing yet: shown.
    sw.windows.push(new FakeWindow('w1', `${ORIGIN}/`, true));
    await sw.push(newMessage('team:general', { message_id: 'again' }));
    expect(sw.notifications.map((n) => (n.data as { message_id: string }).message_id)).toEqual(['again']);
  });

  it('ignores messages that are not the chat’s, or come from no client', async () => {
    expect(await sw.message({ type: 'something-else', cid: 'team:general' }, { id: 'w1' })).toBe(0);
    await sw.message('hello', { id: 'w1' });
    await sw.message({ type: 'chat.active-channel', cid: 'team:general' }, null);
    sw.windows.push(new FakeWindow('w1', `${ORIGIN}/`, true));
    await sw.push(newMessage('team:general'));
    expect(sw.notifications).toHaveLength(1);
  });
});

describe('a message.read push', () => {
  it('closes the notifications of that channel only, the app’s own included by tag only', async () => {
    await sw.push(newMessage('team:general'));
    await sw.push(newMessage('team:random'));
    const promo = sw.showForeign('promo');
    const [general] = sw.notifications;
    expect(await sw.push({ type: 'message.read', cid: 'team:general', badge: 1, tag: 'team:general' })).toBe(
      1,
    );
    expect(general!.closed).toBe(true);
    expect(sw.notifications.map((n) => n.tag)).toEqual(['team:random', 'promo']);
    expect(promo.closed).toBe(false);
    expect(sw.badge.value).toBe(1);
  });
});

describe('pushes that are not the chat’s', () => {
  it('are left alone (no waitUntil, nothing shown) and handed to onOtherPush', async () => {
    const onOtherPush = vi.fn();
    const app = fakeScope({ origin: ORIGIN });
    handleChatPush(app.scope, { onOtherPush });
    expect(await app.push({ title: 'Sale', body: '50% off' })).toBe(0);
    expect(await app.push({ type: 'promo', tag: 'x' })).toBe(0);
    expect(await app.push(null)).toBe(0);
    expect(app.notifications).toEqual([]);
    expect(app.badge.calls).toEqual([]);
    expect(onOtherPush.mock.calls.map(([, data]) => data)).toEqual([
      { title: 'Sale', body: '50% off' },
      { type: 'promo', tag: 'x' },
      undefined,
    ]);
  });

  it('with malformed JSON, are ignored without throwing', async () => {
    const onOtherPush = vi.fn();
    const app = fakeScope({ origin: ORIGIN });
    handleChatPush(app.scope, { onOtherPush });
    await expect(app.push('{"type":"message.new",')).resolves.toBe(0);
    await expect(sw.push('not json at all')).resolves.toBe(0);
    expect(onOtherPush).toHaveBeenCalledWith(expect.anything(), undefined);
    expect(app.notifications).toEqual([]);
  });
});

describe('a click on a chat notification', () => {
  async function shown(cid = 'team:general') {
    await sw.push(newMessage(cid));
    return sw.notifications.find((n) => n.tag === cid)!;
  }

  it('closes it, focuses the app’s window and posts chat.open-channel to it', async () => {
    const elsewhere = new FakeWindow('x', 'https://other.example/', true);
    const app = new FakeWindow('w1', `${ORIGIN}/?channel=team%3Arandom`, false);
    sw.windows.push(elsewhere, app);
    const notification = await shown();
    expect(await sw.click(notification)).toBe(1);
    expect(notification.closed).toBe(true);
    expect(app.focusCalls).toBe(1);
    expect(app.messages).toEqual([
      { type: 'chat.open-channel', cid: 'team:general', message_id: 'm-team:general' },
    ]);
    expect(app.navigations).toEqual([]);
    expect(elsewhere.messages).toEqual([]);
    expect(sw.opened).toEqual([]);
  });

  it('prefers the window showing that channel, then the focused one', async () => {
    const [a, b, c] = [
      new FakeWindow('a', `${ORIGIN}/`),
      new FakeWindow('b', `${ORIGIN}/`, true),
      new FakeWindow('c', `${ORIGIN}/`),
    ];
    sw.windows.push(a, b, c);
    await sw.click(await shown());
    expect(b.messages).toHaveLength(1);
    await sw.message({ type: 'chat.active-channel', cid: 'team:general' }, { id: 'c' });
    await sw.click(await shown());
    expect(c.messages).toHaveLength(1);
    expect(a.messages).toEqual([]);
  });

  it('posts even when the browser refuses the focus, and navigates with navigate: true', async () => {
    const app = new FakeWindow('w1', `${ORIGIN}/`, false, 'hidden', true);
    sw.windows.push(app);
    stop();
    handleChatPush(sw.scope, { ...OPTIONS, navigate: true });
    await sw.click(await shown());
    expect(app.focusCalls).toBe(1);
    expect(app.navigations).toEqual([`${ORIGIN}/?channel=team%3Ageneral`]);
    expect(app.messages).toEqual([
      { type: 'chat.open-channel', cid: 'team:general', message_id: 'm-team:general' },
    ]);
  });

  it('opens a window at its URL when the app has none open', async () => {
    const notification = await shown();
    await sw.click(notification);
    expect(notification.closed).toBe(true);
    expect(sw.opened).toEqual([`${ORIGIN}/?channel=team%3Ageneral`]);
  });

  it('leaves the app’s own notifications alone', async () => {
    const promo = sw.showForeign('promo', { url: '/sale' });
    expect(await openChatNotification(sw.scope, promo)).toBe(false);
    await sw.click(promo);
    expect(promo.closed).toBe(false);
    expect(sw.opened).toEqual([]);
  });
});

describe('handleChatPush', () => {
  it('returns the function that removes its listeners', async () => {
    expect(['push', 'notificationclick', 'message'].map(sw.listenerCount)).toEqual([1, 1, 1]);
    stop();
    expect(['push', 'notificationclick', 'message'].map(sw.listenerCount)).toEqual([0, 0, 0]);
    expect(await sw.push(newMessage('team:general'))).toBe(0);
    expect(sw.notifications).toEqual([]);
  });
});
