import type { SignalSource } from '../src/environment';

/** A `SignalSource` a test flips by hand (network up/down, app foreground/background). */
export function manualSignal(initial = true): SignalSource & { set(value: boolean): void } {
  let value = initial;
  const listeners = new Set<(value: boolean) => void>();
  return {
    current: () => value,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      if (next === value) return;
      value = next;
      for (const listener of [...listeners]) listener(next);
    },
  };
}
