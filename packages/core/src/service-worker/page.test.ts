import { describe, expect, it, vi } from 'vitest';
import { onOpenChannel, reportActiveChannel, type ServiceWorkerContainerLike } from './page';

function fakeContainer(active: { postMessage(message: unknown): void } | null) {
  const listeners = new Set<(event: { data: unknown }) => void>();
  const container = {
    ready: Promise.resolve({ active }),
    addEventListener: (_type: 'message', listener: (event: { data: unknown }) => void) =>
      listeners.add(listener),
    removeEventListener: (_type: 'message', listener: (event: { data: unknown }) => void) =>
      listeners.delete(listener),
    startMessages: vi.fn(),
  } satisfies ServiceWorkerContainerLike;
  return {
    container,
    send: (data: unknown) => {
      for (const listener of listeners) listener({ data });
    },
    listeners,
  };
}

describe('the page side', () => {
  it('reportActiveChannel posts chat.active-channel to the active worker', async () => {
    const postMessage = vi.fn();
    const { container } = fakeContainer({ postMessage });
    await reportActiveChannel('team:general', container);
    await reportActiveChannel(null, container);
    expect(postMessage.mock.calls).toEqual([
      [{ type: 'chat.active-channel', cid: 'team:general' }],
      [{ type: 'chat.active-channel', cid: null }],
    ]);
    // No worker (an insecure context, or none registered): nothing to do, no error.
    await expect(reportActiveChannel('team:general', fakeContainer(null).container)).resolves.toBeUndefined();
    await expect(reportActiveChannel('team:general', undefined)).resolves.toBeUndefined();
  });

  it('onOpenChannel hears chat.open-channel only, starts the message queue, and stops', () => {
    const { container, send, listeners } = fakeContainer(null);
    const listener = vi.fn();
    const stop = onOpenChannel(listener, container);
    expect(container.startMessages).toHaveBeenCalled();
    send({ type: 'chat.open-channel', cid: 'team:general', message_id: 'm1' });
    send({ type: 'chat.open-channel', cid: 'team:random' });
    send({ type: 'chat.open-channel' });
    send({ type: 'other', cid: 'team:x' });
    send(null);
    expect(listener.mock.calls).toEqual([
      [{ type: 'chat.open-channel', cid: 'team:general', message_id: 'm1' }],
      [{ type: 'chat.open-channel', cid: 'team:random' }],
    ]);
    stop();
    expect(listeners.size).toBe(0);
  });
});
