import type { Logger } from 'pino';
import type { PublishedEvent } from '../events/published-event';
import type { Bus } from './bus';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope';

export interface EventRelayOptions {
  /** This node's id, written into what it publishes so it can skip its own events on the bus. */
  nodeId: string;
  /** The bus to the other nodes; null when this process is the only node. */
  bus: Bus | null;
  topic: string;
  /** Hands an event to this node's sockets. */
  deliver(envelope: Envelope): void;
  logger: Logger;
  /**
   * How long after the bus is back the held events wait: the other nodes are subscribing again
   * meanwhile (each retries on its own schedule, at least every second), and what reaches a
   * node before it has subscribed is lost.
   */
  settleMs?: number;
  /** The most events held while the bus is down; past that the oldest are dropped. */
  maxHeld?: number;
}

/** While the bus is down, holding events is retried this often even if no reconnect is heard. */
const RETRY_MS = 5_000;
/** Events published at once when flushing (ioredis pipelines each batch into one write). */
const BATCH = 500;

/**
 * Where every committed event goes. This node's own sockets get it at once, in publish order,
 * without the bus: delivery between two users on the same node never waits on Redis. The other
 * nodes get it through the bus; while the bus is down the events are held, in order, and
 * published when it is back (after `settleMs`), so a Redis outage delays them instead of losing
 * them. A node that crashes meanwhile loses what it held: channel events are in the channel's log
 * and the other nodes read what they missed from it when their subscription returns
 * (realtime/catch-up.ts); the rest (presence, typing) is repaired or short-lived.
 */
export class EventRelay {
  private held: string[] = [];
  private state: 'up' | 'down' | 'flushing' = 'up';
  private dropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: EventRelayOptions) {
    options.bus?.onReconnected((side) => {
      if (side === 'publisher' && this.state === 'down') this.scheduleFlush(options.settleMs ?? 1_000);
    });
  }

  /** Starts receiving the other nodes' events. */
  async start(): Promise<() => void> {
    const { bus, topic, nodeId, deliver } = this.options;
    if (!bus) return () => undefined;
    return bus.subscribe(topic, (payload) => {
      const envelope = decodeEnvelope(payload);
      if (envelope.origin !== nodeId) deliver(envelope);
    });
  }

  publish(event: PublishedEvent): void {
    const payload = encodeEnvelope(event, this.options.nodeId);
    const envelope = decodeEnvelope(payload);
    queueMicrotask(() => this.options.deliver(envelope));
    const { bus, topic } = this.options;
    if (!bus || this.closed) return;
    if (this.state !== 'up') {
      this.hold([payload]);
      return;
    }
    bus.publish(topic, payload).catch(() => {
      this.wentDown();
      this.hold([payload]);
    });
  }

  /** Events waiting for the bus. */
  get waiting(): number {
    return this.held.length;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.retryTimer);
    if (this.held.length)
      this.options.logger.warn({ events: this.held.length }, 'events held for the bus were not published');
    this.held = [];
  }

  private wentDown(): void {
    if (this.state === 'up') this.state = 'down';
    // In case no reconnect is ever heard (the connection came back before the failure did).
    this.retryTimer ??= setInterval(() => {
      if (this.state === 'down') this.scheduleFlush(0);
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private hold(payloads: string[]): void {
    this.held.push(...payloads);
    const max = this.options.maxHeld ?? 20_000;
    if (this.held.length > max) {
      const excess = this.held.length - max;
      this.held.splice(0, excess);
      if (this.dropped === 0)
        this.options.logger.warn({ max }, 'too many events held for the bus: dropping the oldest');
      this.dropped += excess;
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, delayMs);
    this.flushTimer.unref();
  }

  /** Publishes what was held, oldest first; new events queue behind it until it is done. */
  private async flush(): Promise<void> {
    const { bus, topic, logger } = this.options;
    if (!bus || this.state !== 'down') return;
    this.state = 'flushing';
    let published = 0;
    while (this.held.length > 0 && !this.closed) {
      const batch = this.held.splice(0, BATCH);
      const results = await Promise.allSettled(batch.map((payload) => bus.publish(topic, payload)));
      const failed = batch.filter((_, i) => results[i]!.status === 'rejected');
      published += batch.length - failed.length;
      if (failed.length > 0) {
        // Down again: the next reconnect (or the retry timer) takes it from here, in order.
        this.held.unshift(...failed);
        this.state = 'down';
        return;
      }
    }
    this.state = 'up';
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    if (published > 0 || this.dropped > 0)
      logger.info({ published, dropped: this.dropped }, 'events held while the bus was down are published');
    this.dropped = 0;
  }
}
