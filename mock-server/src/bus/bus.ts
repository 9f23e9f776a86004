/**
 * How server nodes tell each other what happened. One process uses the in-memory bus; several
 * processes behind a load balancer share Redis pub/sub. Payloads are strings, serialized once
 * by the publisher, never per recipient.
 */
export interface Bus {
  publish(topic: string, payload: string): Promise<void>;
  /** Every payload published on `topic` by any node, this one included. */
  subscribe(topic: string, handler: (payload: string) => void): Promise<() => void>;
  close(): Promise<void>;
}
