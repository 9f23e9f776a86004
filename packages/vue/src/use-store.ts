import type { ReadableStore } from '@chat/core';
import {
  computed,
  type MaybeRefOrGetter,
  onScopeDispose,
  type ShallowRef,
  shallowReadonly,
  shallowRef,
  toValue,
  watch,
} from 'vue';
import { inBrowser } from './environment';

/** A ref the adapter owns and the app only reads. */
export type StoreRef<T> = Readonly<ShallowRef<T>>;

const identity = <T>(value: T) => value as never;

/**
 * Maps a core store (or a ref/getter of one, e.g. the state of a channel picked by id) to a
 * readonly `shallowRef` of its snapshot, or of `select(snapshot)`. The snapshots are immutable
 * and structurally shared, so a shallow ref is enough and `Object.is` tells a real change.
 * When the source changes, the old store is left and the new one followed; the subscription ends
 * with the calling scope (a component's setup, or an `effectScope`).
 *
 * `select` must depend on the snapshot alone: it runs inside the store's listener, where Vue
 * tracks nothing. Combine with other refs in a `computed` over the result instead.
 *
 * @example
 * const status = useStore(client.connection, (c) => c.status); // status.value === 'connected'
 */
export function useStore<T, S = T>(
  source: MaybeRefOrGetter<ReadableStore<T>>,
  select: (snapshot: T) => S = identity,
): StoreRef<S> {
  // Outside a browser nothing would dispose the scope: hold the current snapshot, subscribe to none.
  if (!inBrowser()) return computed(() => select(toValue(source).getSnapshot()));
  const value = shallowRef() as ShallowRef<S>;
  let unsubscribe: (() => void) | undefined;
  watch(
    () => toValue(source),
    (store) => {
      unsubscribe?.();
      const update = () => {
        value.value = select(store.getSnapshot());
      };
      update();
      unsubscribe = store.subscribe(update);
    },
    // Sync: the ref never shows the previous store's snapshot after the source changed.
    { immediate: true, flush: 'sync' },
  );
  onScopeDispose(() => unsubscribe?.());
  return shallowReadonly(value);
}
