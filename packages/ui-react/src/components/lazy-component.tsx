import type { ComponentType } from 'react';
import { useStrings } from '../context/ui-context';
import { useLazyModule } from '../hooks/use-lazy-module';
import { lazyModule } from '../lazy-module';

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
    const t = useStrings();
    const loaded = useLazyModule(code);
    if (loaded.status === 'ready') {
      const { Loaded } = loaded.module;
      return <Loaded {...props} />;
    }
    return loaded.status === 'failed' ? (
      <p className="chat-lazy chat-lazy--failed" role="alert">
        {t('lazy.failed')}{' '}
        <button type="button" className="chat-button" onClick={loaded.retry}>
          {t('lazy.retry')}
        </button>
      </p>
    ) : (
      <p className="chat-lazy" role="status">
        {t('lazy.loading')}
      </p>
    );
  };
}
