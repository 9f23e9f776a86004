import { createStore, type ReadableStore } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { effectScope, isReadonly, isRef, shallowRef, watch } from 'vue';
import { useStore } from './use-store';

/** A store that counts its live subscriptions. */
function counted<T>(initial: T) {
  const store = createStore(initial);
  let listeners = 0;
  const readable: ReadableStore<T> = {
    getSnapshot: store.getSnapshot,
    subscribe(listener) {
      listeners += 1;
      const stop = store.subscribe(listener);
      return () => {
        listeners -= 1;
        stop();
      };
    },
  };
  return { store, readable, listeners: () => listeners };
}

function inScope<T>(run: () => T) {
  const scope = effectScope();
  return { result: scope.run(run) as T, stop: () => scope.stop() };
}

describe('useStore', () => {
  it('holds the current snapshot and follows changes, as a readonly ref', () => {
    const { store, readable } = counted({ n: 1 });
    const { result } = inScope(() => useStore(readable));
    expect(isRef(result) && isReadonly(result)).toBe(true);
    expect(result.value).toBe(store.getSnapshot());
    store.setState({ n: 2 });
    expect(result.value).toEqual({ n: 2 });
    // The snapshot itself, not a reactive proxy of it: identity comparisons keep working.
    expect(result.value).toBe(store.getSnapshot());
  });

  it('notifies dependents only when the selected slice changes', () => {
    const { store, readable } = counted({ a: 1, b: 1 });
    let runs = 0;
    const { result } = inScope(() => {
      const a = useStore(readable, (s) => s.a);
      watch(a, () => runs++, { flush: 'sync' });
      return a;
    });
    store.setState({ a: 1, b: 2 });
    expect(runs).toBe(0);
    store.setState({ a: 3, b: 2 });
    expect(result.value).toBe(3);
    expect(runs).toBe(1);
  });

  it('leaves the old store and follows the new one when the source changes', () => {
    const first = counted('first');
    const second = counted('second');
    const source = shallowRef(first.readable);
    const { result } = inScope(() => useStore(source));
    expect(first.listeners()).toBe(1);
    source.value = second.readable;
    expect(result.value).toBe('second');
    expect(first.listeners()).toBe(0);
    expect(second.listeners()).toBe(1);
    first.store.setState('ignored');
    expect(result.value).toBe('second');
  });

  it('unsubscribes when its scope is disposed', () => {
    const { store, readable, listeners } = counted(0);
    const { result, stop } = inScope(() => useStore(readable));
    expect(listeners()).toBe(1);
    stop();
    expect(listeners()).toBe(0);
    store.setState(1);
    expect(result.value).toBe(0);
  });
});
