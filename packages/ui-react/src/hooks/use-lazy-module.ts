import { useCallback, useEffect, useState } from 'react';
import type { LazyModule } from '../lazy-module';

export type LazyModuleState<M> =
  | { status: 'loading' }
  | { status: 'failed'; retry(): void }
  | { status: 'ready'; module: M };

/**
 * A module loaded on demand (see `lazyModule`), started when the component mounts. Not
 * `React.lazy`: a failed load must be a message with a retry, not an error thrown to the app's
 * error boundary. Once the module is here, later mounts render it at once.
 */
export function useLazyModule<M>(lazy: LazyModule<M>): LazyModuleState<M> {
  const [module, setModule] = useState<M | null>(lazy.current);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    if (module) return;
    let live = true;
    setFailed(false);
    lazy.load().then(
      (m) => live && setModule(m),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [lazy, module, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  if (module) return { status: 'ready', module };
  return failed ? { status: 'failed', retry } : { status: 'loading' };
}
