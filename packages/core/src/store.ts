/**
 * The one reactive contract of the SDK. Framework adapters map exactly this to their framework
 * (`useSyncExternalStore`, a Vue `shallowRef`, an Angular `signal`), so it stays this small.
 */
export interface ReadableStore<T> {
  /** The current value. Its identity changes only when its content changes. */
  getSnapshot(): T;
  /**
   * Calls `listener` after every change (never on subscribe). Returns the unsubscribe function.
   *
   * @example
   * const stop = client.connection.subscribe(() => render(client.connection.getSnapshot()));
   */
  subscribe(listener: () => void): () => void;
}

/** A store its owner can write to; hand out only the `ReadableStore` side. */
export interface WritableStore<T> extends ReadableStore<T> {
  /** Replaces the value, or derives it from the previous one. No-op when `Object.is` equal. */
  setState(next: T | ((previous: T) => T)): void;
}

/**
 * A minimal store: notifies only on a real change, so snapshots can be compared by identity.
 *
 * @example
 * const count = createStore(0);
 * count.subscribe(() => console.log(count.getSnapshot()));
 * count.setState((n) => n + 1); // logs 1
 */
export function createStore<T>(initial: T): WritableStore<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => state,
    subscribe(listener) {
      // A wrapper per subscription, so the same function subscribed twice needs two unsubscribes.
      const entry = () => listener();
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    setState(next) {
      const value = typeof next === 'function' ? (next as (previous: T) => T)(state) : next;
      if (Object.is(value, state)) return;
      state = value;
      // A copy, so a listener that unsubscribes (or subscribes) while we notify cannot skip others.
      for (const listener of [...listeners]) listener();
    },
  };
}

/**
 * A read-only store computed from others: `compute` runs when a source changed since the last
 * read, and its result is kept while `same` says nothing changed, so identity stays stable.
 * It holds no subscription of its own: subscribing subscribes to every source.
 *
 * @example
 * const unread = deriveStore([channel.state], () => channel.state.getSnapshot().unreadCount);
 */
export function deriveStore<T>(
  sources: readonly ReadableStore<unknown>[],
  compute: () => T,
  same: (a: T, b: T) => boolean = Object.is,
): ReadableStore<T> {
  let inputs: unknown[] | undefined;
  let value: T;
  // Plain functions, not methods: frameworks call them unbound (`useSyncExternalStore`).
  const getSnapshot = (): T => {
    const now = sources.map((s) => s.getSnapshot());
    if (inputs && now.every((v, i) => Object.is(v, inputs?.[i]))) return value;
    const next = compute();
    if (!inputs || !same(value, next)) value = next;
    inputs = now;
    return value;
  };
  return {
    getSnapshot,
    subscribe(listener) {
      let last = getSnapshot();
      const stops = sources.map((s) =>
        s.subscribe(() => {
          const next = getSnapshot();
          if (Object.is(next, last)) return;
          last = next;
          listener();
        }),
      );
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}

/** Two arrays hold the same items, in the same order (by identity). */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
}
