import { computed, type Signal, signal } from '@angular/core';
import type { ReadableStore } from '@chat/core';
import { Observable } from 'rxjs';
import type { ConsumerScope } from './consumer-scope';

/**
 * A core store as a read-only signal. It subscribes on the first read (so a store behind a
 * required component input is not read before the input is set) and unsubscribes when the
 * scope is destroyed. The store only notifies on a real change and its snapshots keep their
 * identity otherwise, so `computed` slices of this signal change only when their slice does.
 */
export function storeSignal<T>(store: ReadableStore<T>, scope: ConsumerScope): Signal<T> {
  const changes = signal(0);
  let stop: (() => void) | undefined;
  return computed(() => {
    changes();
    if (!stop && !scope.destroyRef.destroyed) {
      stop = scope.outside(() => store.subscribe(() => changes.update((n) => n + 1)));
      scope.destroyRef.onDestroy(stop);
    }
    return store.getSnapshot();
  });
}

/**
 * A core store (or a slice of it) as an Observable: the current value on subscribe, like a
 * `BehaviorSubject`, then each change of the selected value (by `equal`). It completes when the scope is destroyed.
 */
export function storeObservable<T, S = T>(
  store: ReadableStore<T>,
  scope: ConsumerScope,
  select: (value: T) => S = (value) => value as unknown as S,
  equal: (a: S, b: S) => boolean = Object.is,
): Observable<S> {
  return new Observable<S>((subscriber) => {
    let last = select(store.getSnapshot());
    subscriber.next(last);
    if (scope.destroyRef.destroyed) return subscriber.complete();
    const stop = scope.outside(() =>
      store.subscribe(() => {
        const next = select(store.getSnapshot());
        if (equal(next, last)) return;
        last = next;
        subscriber.next(next);
      }),
    );
    const unregister = scope.destroyRef.onDestroy(() => subscriber.complete());
    return () => {
      stop();
      unregister();
    };
  });
}
