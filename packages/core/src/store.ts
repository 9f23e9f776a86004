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
