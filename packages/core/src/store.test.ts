import { describe, expect, it, vi } from 'vitest';
import { createStore } from './store';

describe('createStore', () => {
  it('does not call a listener on subscribe, only on a change', () => {
    const store = createStore({ count: 0 });
    const listener = vi.fn();
    store.subscribe(listener);
    expect(listener).not.toHaveBeenCalled();
    store.setState({ count: 1 });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('keeps the snapshot identity and stays silent when the value is the same', () => {
    const initial = { count: 0 };
    const store = createStore(initial);
    const listener = vi.fn();
    store.subscribe(listener);
    store.setState((previous) => previous);
    store.setState(initial);
    expect(store.getSnapshot()).toBe(initial);
    expect(listener).not.toHaveBeenCalled();
  });

  it('treats NaN as unchanged (Object.is) and derives from the previous value', () => {
    const store = createStore(Number.NaN);
    const listener = vi.fn();
    store.subscribe(listener);
    store.setState(Number.NaN);
    expect(listener).not.toHaveBeenCalled();
    store.setState((n) => (Number.isNaN(n) ? 1 : n));
    expect(store.getSnapshot()).toBe(1);
  });

  it('stops notifying after unsubscribe, even when unsubscribed by another listener mid-notify', () => {
    const store = createStore(0);
    const second = vi.fn();
    let stopSecond = () => {};
    store.subscribe(() => stopSecond());
    stopSecond = store.subscribe(second);
    store.setState(1); // `second` was in the snapshot of listeners: still called this time
    store.setState(2);
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('needs one unsubscribe per subscribe of the same function', () => {
    const store = createStore(0);
    const listener = vi.fn();
    const stopA = store.subscribe(listener);
    store.subscribe(listener);
    stopA();
    store.setState(1);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('deriveStore', () => {
  it('computes lazily, keeps identity while inputs are unchanged, and notifies only on a real change', async () => {
    const { deriveStore, sameItems } = await import('./store');
    const source = createStore({ items: [1, 2, 3], other: 0 });
    const compute = vi.fn(() => source.getSnapshot().items.filter((n) => n > 1));
    const evens = deriveStore([source], compute, sameItems);
    const first = evens.getSnapshot();
    expect(evens.getSnapshot()).toBe(first);
    expect(compute).toHaveBeenCalledTimes(1);
    const listener = vi.fn();
    const stop = evens.subscribe(listener);
    source.setState((s) => ({ ...s, other: 1 })); // same items: same value, no notification
    expect(evens.getSnapshot()).toBe(first);
    expect(listener).not.toHaveBeenCalled();
    source.setState((s) => ({ ...s, items: [...s.items, 4] }));
    expect(evens.getSnapshot()).toEqual([2, 3, 4]);
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
    source.setState((s) => ({ ...s, items: [5] }));
    expect(listener).toHaveBeenCalledTimes(1);
    // Works unbound, as useSyncExternalStore calls it.
    const { getSnapshot, subscribe } = evens;
    expect(getSnapshot()).toEqual([5]);
    subscribe(() => {})();
  });
});
