import type { ComponentType } from 'react';
import { useLazyModule } from '../hooks/use-lazy-module';
import { lazyModule } from '../lazy-module';
import { LazyStatus } from './lazy-status';

/**
 * A component whose code is a chunk of its own, loaded the first time it shows (once per page):
 * panels a user opens now and then stay out of the first load of a chat screen. Until the code is
 * here it shows a status; a failed load (offline, a replaced deploy) says so with "Try again".
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  // In an object: a component is a function, which React's state setter would call as an updater.
  const code = lazyModule(() => load().then((Loaded) => ({ Loaded })));
  // biome-ignore lint/correctness/noComponentHookFactories: made once per module when it loads, never while rendering
  return function LazyComponent(props: P) {
    const loaded = useLazyModule(code);
    if (loaded.status !== 'ready') return <LazyStatus state={loaded} className="chat-lazy" />;
    const { Loaded } = loaded.module;
    return <Loaded {...props} />;
  };
}
