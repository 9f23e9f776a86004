import { useEffect, useReducer } from 'react';
import { lazyModule } from '../../lazy-module';

// The ThumbHash decoder (the `thumbhash` package) is a chunk of its own, fetched the first time an
// image with a placeholder shows: until it is here (or if it cannot load) the tile keeps its
// plain background.
const decoder = lazyModule(() => import('./placeholder-decoder'));

/**
 * The placeholder of an image as a data URL to paint while it loads: `hash` (a ThumbHash,
 * base64) decoded once per string. Undefined without a hash, while the decoder loads, and for a
 * hash that does not decode.
 */
export function usePlaceholder(hash: string | undefined): string | undefined {
  const [, loaded] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!hash || decoder.current) return;
    let live = true;
    decoder.load().then(
      () => live && loaded(),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [hash]);
  return hash ? decoder.current?.placeholderUrl(hash) : undefined;
}
