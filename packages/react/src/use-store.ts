import type { ReadableStore } from '@chat/core';
import { useCallback, useMemo, useSyncExternalStore } from 'react';

const identity = <T>(value: T) => value;

/**
 * Subscribes the component to a core store and returns its snapshot, or `selector(snapshot)`.
 * The component re-renders only when the selected value changes (`Object.is`). Core snapshots
 * are structurally shared, so selecting a slice (`s => s.messages`) is enough; a selector that
 * builds a new object or array each time re-renders on every change of the store. On the
 * server it renders the current snapshot.
 *
 * @example
 * const status = useStore(client.connection, (c) => c.status);
 */
export function useStore<T>(store: ReadableStore<T>): T;
export function useStore<T, S>(store: ReadableStore<T>, selector: (snapshot: T) => S): S;
export function useStore<T, S>(store: ReadableStore<T>, selector: (snapshot: T) => S = identity as never): S {
  // useSyncExternalStoreWithSelector, minus the package: getSnapshot must give the same value
  // for the same snapshot (React calls it repeatedly and loops forever on a fresh value), so the
  // selection is memoized per snapshot. Kept in a closure rather than a ref: no writes in render.
  const getSelection = useMemo(() => {
    let memo: { snapshot: T; selection: S } | undefined;
    return (): S => {
      const snapshot = store.getSnapshot();
      if (memo && Object.is(memo.snapshot, snapshot)) return memo.selection;
      memo = { snapshot, selection: selector(snapshot) };
      return memo.selection;
    };
  }, [store, selector]);
  // Through a closure: a store may implement `subscribe` as a method that needs its `this`.
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
  // The server snapshot is the current one: an SSR render shows what the client already holds.
  return useSyncExternalStore(subscribe, getSelection, getSelection);
}
