import { computed, effect, type Signal, signal, untracked } from '@angular/core';
import type { ReadableStore } from '@chat/core';
import type { ConsumerScope } from './consumer-scope';
import { type FollowStore, followStore } from './follow-store';

/** A plain value, or a signal of it (any reactive function, e.g. a component input). */
export type Reactive<T> = T | (() => T);

/** The input's current value (tracked when read in a reactive context). */
export const read = <T>(input: Reactive<T>): T =>
  typeof input === 'function' ? (input as () => T)() : input;

/** The inputs together as one input: reactive when any of them is. */
export function combine<A, B>(a: Reactive<A>, b: Reactive<B>): Reactive<readonly [A, B]> {
  return typeof a === 'function' || typeof b === 'function' ? () => [read(a), read(b)] as const : [a, b];
}

/** The core object an input names, and stores that follow it when the input changes. */
export interface Bound<X> {
  readonly target: Signal<X>;
  /** A store of the current target (e.g. its `state`): the same store object for the life of the scope. */
  follow<T>(select: (target: X) => ReadableStore<T>): ReadableStore<T>;
}

/**
 * Resolves an input to the core object it names (a channel handle, a channel list query) and
 * runs `start(target)` for that object until the input names another one or the scope is
 * destroyed; `start` returns its cleanup. A plain input starts at once; a reactive one in an
 * effect, because a required component input cannot be read before it is set.
 */
export function bindInput<I, X>(
  scope: ConsumerScope,
  input: Reactive<I>,
  resolve: (value: I) => X,
  options: { same?: (a: I, b: I) => boolean; start?: (target: X) => (() => void) | undefined } = {},
): Bound<X> {
  // A server render only shows state: it never watches or loads (the browser does, after hydration).
  const start = (target: X) => (scope.server ? undefined : scope.outside(() => options.start?.(target)));
  if (typeof input !== 'function') {
    const target = resolve(input);
    const stop = start(target);
    if (stop) scope.destroyRef.onDestroy(() => scope.outside(stop));
    return { target: signal(target).asReadonly(), follow: (select) => select(target) };
  }
  const value = computed(input as () => I, options.same && { equal: options.same });
  // Memoized per value: a channel list query is made once per distinct query.
  const target = computed(() => {
    const current = value();
    return untracked(() => resolve(current));
  });
  const followers: FollowStore<unknown>[] = [];
  effect(
    (onCleanup) => {
      const current = target();
      const stop = untracked(() => {
        for (const store of followers) store.refresh();
        return start(current);
      });
      if (stop) onCleanup(() => scope.outside(stop));
    },
    { injector: scope.injector },
  );
  return {
    target,
    follow(select) {
      const store = followStore(() => select(target()));
      followers.push(store as FollowStore<unknown>);
      return store;
    },
  };
}
