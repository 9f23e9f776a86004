import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PublishedEvent } from '../events/published-event';
import type { Bus } from './bus';
import type { Envelope } from './envelope';
import { encodeEnvelope } from './envelope';
import { EventRelay } from './event-relay';

/** A bus whose connection can be cut and restored, recording what it carried. */
function fakeBus() {
  const carried: string[] = [];
  const handlers = new Set<(payload: string) => void>();
  const reconnected = new Set<(side: 'publisher' | 'subscriber') => void>();
  let up = true;
  const bus: Bus = {
    async publish(_topic, payload) {
      if (!up) throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
      carried.push(payload);
      for (const handler of handlers) handler(payload);
    },
    async subscribe(_topic, handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onReconnected(listener) {
      reconnected.add(listener);
    },
    async close() {},
  };
  return {
    bus,
    carried,
    texts: () => carried.map((payload) => JSON.parse(payload.slice(payload.indexOf('\n') + 1)).text),
    down: () => {
      up = false;
    },
    back: () => {
      up = true;
      for (const listener of reconnected) listener('publisher');
    },
    /** Back without telling (the reconnect came before the failure did). */
    backQuietly: () => {
      up = true;
    },
    /** A payload from another node. */
    fromElsewhere: (event: PublishedEvent) => {
      for (const handler of handlers) handler(encodeEnvelope(event, 'other-node'));
    },
  };
}

const event = (text: string): PublishedEvent => ({
  appId: 'app',
  channelId: 'channel',
  event: { type: 'health.check', created_at: new Date(0).toISOString(), text } as never,
});
const textOf = (envelope: Envelope) => (envelope.event as unknown as { text: string }).text;

describe('event relay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("delivers to this node's sockets at once, and to other nodes once each, skipping its own echo", async () => {
    const fake = fakeBus();
    const local: string[] = [];
    const relay = new EventRelay({
      nodeId: 'me',
      bus: fake.bus,
      topic: 'events',
      logger: pino({ level: 'silent' }),
      deliver: (envelope) => local.push(textOf(envelope)),
    });
    await relay.start();
    relay.publish(event('a'));
    fake.fromElsewhere(event('b'));
    await Promise.resolve();
    await Promise.resolve();
    expect(local).toEqual(['b', 'a']);
    expect(fake.texts()).toEqual(['a']);
  });

  it('holds events while the bus is down and publishes them in order once it is back and settled', async () => {
    vi.useFakeTimers();
    const fake = fakeBus();
    const local: string[] = [];
    const relay = new EventRelay({
      nodeId: 'me',
      bus: fake.bus,
      topic: 'events',
      logger: pino({ level: 'silent' }),
      deliver: (envelope) => local.push(textOf(envelope)),
      settleMs: 1_000,
    });
    relay.publish(event('1'));
    await vi.advanceTimersByTimeAsync(0);
    fake.down();
    for (const text of ['2', '3', '4']) relay.publish(event(text));
    await vi.advanceTimersByTimeAsync(0);
    // Delivered here all the same; held for the others.
    expect(local).toEqual(['1', '2', '3', '4']);
    expect(fake.texts()).toEqual(['1']);
    expect(relay.waiting).toBe(3);

    fake.back();
    relay.publish(event('5')); // after the return, but behind what is held
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.texts()).toEqual(['1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.texts()).toEqual(['1', '2', '3', '4', '5']);
    expect(relay.waiting).toBe(0);

    relay.publish(event('6'));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.texts()).toEqual(['1', '2', '3', '4', '5', '6']);
    relay.close();
  });

  it('retries on a timer when no reconnect is heard, and keeps at most maxHeld events (the newest)', async () => {
    vi.useFakeTimers();
    const fake = fakeBus();
    const relay = new EventRelay({
      nodeId: 'me',
      bus: fake.bus,
      topic: 'events',
      logger: pino({ level: 'silent' }),
      deliver: () => undefined,
      maxHeld: 3,
    });
    fake.down();
    for (const text of ['1', '2', '3', '4', '5']) relay.publish(event(text));
    await vi.advanceTimersByTimeAsync(0);
    expect(relay.waiting).toBe(3);
    await vi.advanceTimersByTimeAsync(5_000); // still down: the retry fails and keeps them
    expect(relay.waiting).toBe(3);
    fake.backQuietly();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.texts()).toEqual(['3', '4', '5']);
    relay.close();
  });

  it('without a bus (one process), delivers locally and holds nothing', async () => {
    const local: string[] = [];
    const relay = new EventRelay({
      nodeId: 'me',
      bus: null,
      topic: 'events',
      logger: pino({ level: 'silent' }),
      deliver: (envelope) => local.push(textOf(envelope)),
    });
    await relay.start();
    relay.publish(event('x'));
    await Promise.resolve();
    expect(local).toEqual(['x']);
    expect(relay.waiting).toBe(0);
  });
});
