/**
 * How server nodes tell each other what happened: Redis pub/sub between the processes behind a
 * load balancer. Payloads are strings, serialized once by the publisher, never per recipient.
 * (A node delivers its own events to its own sockets without the bus: bus/event-relay.ts.)
 */
export interface Bus {
  /** Rejects when the payload could not be handed to the bus (its connection is down). */
  publish(topic: string, payload: string): Promise<void>;
  /** Every payload published on `topic` by any node, this one included. */
  subscribe(topic: string, handler: (payload: string) => void): Promise<() => void>;
  /**
   * `listener` runs each time a lost connection is back: `publisher` once publishing works
   * again, `subscriber` once the subscriptions are active again (what was published meanwhile
   * never arrives: pub/sub keeps nothing).
   */
  onReconnected(listener: (side: 'publisher' | 'subscriber') => void): void;
  close(): Promise<void>;
}
