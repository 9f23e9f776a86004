import { untracked } from '@angular/core';
import type { ReadableStore } from '@chat/core';

/** A store that mirrors another one, chosen by `resolve()`; `refresh()` chooses again. */
export interface FollowStore<T> extends ReadableStore<T> {
  refresh(): void;
}

/**
 * Lets a service hand out one signal and one Observable for an input that can change (a channel
 * id from a component input): when the input changes, the store behind them is swapped and their
 * subscribers hear the new value. `resolve` runs lazily, on the first read.
 */
export function followStore<T>(resolve: () => ReadableStore<T>): FollowStore<T> {
  const listeners = new Set<() => void>();
  let source: ReadableStore<T> | undefined;
  let stopSource: (() => void) | undefined;
  let last: T;
  const current = () => {
    source ??= untracked(resolve);
    return source;
  };
  const notify = () => {
    const next = current().getSnapshot();
    if (Object.is(next, last)) return;
    last = next;
    for (const listener of [...listeners]) listener();
  };
  const listen = () => {
    last = current().getSnapshot();
    stopSource = current().subscribe(notify);
  };
  return {
    getSnapshot: () => current().getSnapshot(),
    subscribe(listener) {
      const entry = () => listener();
      if (listeners.size === 0) listen();
      listeners.add(entry);
      return () => {
        if (!listeners.delete(entry) || listeners.size > 0) return;
        stopSource?.();
        stopSource = undefined;
      };
    },
    refresh() {
      const next = untracked(resolve);
      if (next === source) return;
      source = next;
      if (!stopSource) return;
      stopSource();
      stopSource = next.subscribe(notify);
      notify();
    },
  };
}
