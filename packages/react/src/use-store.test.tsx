import { createStore, type ReadableStore } from '@chat/core';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useStore } from './use-store';

/** Renders `useStore` in StrictMode and counts the renders React commits to (each counted once). */
function renderCounted<T, P>(hook: (props: P) => T, initialProps?: P) {
  let renders = 0;
  const view = renderHook(
    (props: P) => {
      renders += 1;
      return hook(props);
    },
    { initialProps: initialProps as P, reactStrictMode: true },
  );
  return { ...view, renders: () => renders };
}

describe('useStore', () => {
  it('returns the snapshot and re-renders when it changes', () => {
    const store = createStore({ count: 0 });
    const { result } = renderHook(() => useStore(store));
    expect(result.current).toEqual({ count: 0 });
    act(() => store.setState({ count: 1 }));
    expect(result.current).toEqual({ count: 1 });
  });

  it('does not re-render when the selected slice keeps its identity', () => {
    const items = ['a'];
    const store = createStore({ items, typing: 0 });
    const { result, renders } = renderCounted(() => useStore(store, (s) => s.items));
    const before = renders();
    act(() => store.setState((s) => ({ ...s, typing: 1 })));
    act(() => store.setState((s) => ({ ...s, typing: 2 })));
    expect(renders()).toBe(before);
    expect(result.current).toBe(items);
    act(() => store.setState((s) => ({ ...s, items: ['a', 'b'] })));
    expect(renders()).toBeGreaterThan(before);
    expect(result.current).toEqual(['a', 'b']);
  });

  it('does not loop when an inline selector builds a new value each call', () => {
    const store = createStore({ count: 1 });
    // A fresh object per call: without memoizing per snapshot, React would see a change on
    // every getSnapshot call and throw "Maximum update depth exceeded".
    const { result, renders } = renderCounted(() => useStore(store, (s) => ({ doubled: s.count * 2 })));
    expect(result.current).toEqual({ doubled: 2 });
    act(() => store.setState({ count: 2 }));
    expect(result.current).toEqual({ doubled: 4 });
    expect(renders()).toBeLessThan(10);
  });

  it('follows a new store when the argument changes, and leaves the old one', () => {
    const first = createStore('first');
    const second = createStore('second');
    const { result, rerender, renders } = renderCounted(({ store }) => useStore(store), { store: first });
    rerender({ store: second });
    expect(result.current).toBe('second');
    const before = renders();
    act(() => first.setState('first, changed'));
    expect(renders()).toBe(before);
    act(() => second.setState('second, changed'));
    expect(result.current).toBe('second, changed');
  });

  it('works with a store whose methods need their `this`', () => {
    class Counter implements ReadableStore<number> {
      private value = 0;
      private readonly listeners = new Set<() => void>();
      getSnapshot() {
        return this.value;
      }
      subscribe(listener: () => void) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      }
      increment() {
        this.value += 1;
        for (const listener of this.listeners) listener();
      }
    }
    const counter = new Counter();
    const { result, unmount } = renderHook(() => useStore(counter));
    act(() => counter.increment());
    expect(result.current).toBe(1);
    unmount();
    expect((counter as unknown as { listeners: Set<unknown> }).listeners.size).toBe(0);
  });
});
