import { computed, createEnvironmentInjector, EnvironmentInjector, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { createStore } from '@chat/core';
import { describe, expect, it } from 'vitest';
import { consumerScope } from './consumer-scope';
import { followStore } from './follow-store';
import { storeObservable, storeSignal } from './store-bridge';

/** A scope that the test destroys, like a component going away. */
function childScope() {
  const injector = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
  return { scope: consumerScope({ injector }), destroy: () => injector.destroy() };
}

/** A store that counts its subscribers. */
function countedStore<T>(initial: T) {
  const store = createStore(initial);
  let subscribers = 0;
  return {
    ...store,
    subscribers: () => subscribers,
    subscribe(listener: () => void) {
      subscribers += 1;
      const stop = store.subscribe(listener);
      return () => {
        subscribers -= 1;
        stop();
      };
    },
  };
}

describe('storeSignal', () => {
  it('subscribes on the first read, follows changes, and unsubscribes on destroy', () => {
    const store = countedStore({ count: 0, label: 'a' });
    const { scope, destroy } = childScope();
    const value = storeSignal(store, scope);
    const label = computed(() => value().label);
    expect(store.subscribers()).toBe(0);
    expect(label()).toBe('a');
    expect(store.subscribers()).toBe(1);
    const before = value();
    store.setState((s) => ({ ...s, count: 1 }));
    expect(value()).not.toBe(before);
    expect(value().count).toBe(1);
    destroy();
    expect(store.subscribers()).toBe(0);
  });
});

describe('storeObservable', () => {
  it('gives the current value, then each change of the slice, and completes on destroy', () => {
    const store = countedStore({ count: 0, label: 'a' });
    const { scope, destroy } = childScope();
    const seen: string[] = [];
    let completed = false;
    storeObservable(store, scope, (s) => s.label).subscribe({
      next: (label) => seen.push(label),
      complete: () => {
        completed = true;
      },
    });
    store.setState((s) => ({ ...s, count: 1 })); // the slice did not change
    store.setState((s) => ({ ...s, label: 'b' }));
    expect(seen).toEqual(['a', 'b']);
    destroy();
    expect(completed).toBe(true);
    expect(store.subscribers()).toBe(0);
  });
});

describe('followStore', () => {
  it('switches its subscribers to the store chosen by the current input', () => {
    const stores = { a: countedStore('from a'), b: countedStore('from b') };
    const key = signal<'a' | 'b'>('a');
    const followed = followStore(() => stores[key()]);
    const seen: string[] = [];
    const stop = followed.subscribe(() => seen.push(followed.getSnapshot()));
    key.set('b');
    followed.refresh();
    stores.a.setState('a changed'); // no longer followed
    stores.b.setState('b changed');
    expect(seen).toEqual(['from b', 'b changed']);
    expect(stores.a.subscribers()).toBe(0);
    stop();
    expect(stores.b.subscribers()).toBe(0);
  });
});
