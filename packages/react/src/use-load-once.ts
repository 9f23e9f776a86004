import { useEffect, useRef } from 'react';

/**
 * Runs `load` after the first commit and whenever `key` changes, once per key. StrictMode's
 * simulated remount (effects run, cleaned up, run again on the same component) would otherwise
 * fetch twice; a ref survives that remount, so the second run sees the key already loaded.
 * A real remount is a new component with a new ref, and loads again.
 */
export function useLoadOnce(key: unknown, load: () => void): void {
  const loaded = useRef<{ key: unknown } | null>(null);
  useEffect(() => {
    if (loaded.current && Object.is(loaded.current.key, key)) return;
    loaded.current = { key };
    load();
    // A fresh `load` closure each render re-runs the effect, which stops at the check above.
  }, [key, load]);
}
