import { thumbHashToDataURL } from 'thumbhash';

// Loaded on demand (see use-placeholder.ts). Data URLs are ~1–2 KB each; the oldest go first.
const MAX_CACHED = 300;
const cache = new Map<string, string | undefined>();

/**
 * A ThumbHash (base64, or base64url) as a PNG data URL, decoded once per string; undefined when
 * it is not one.
 */
export function placeholderUrl(hash: string): string | undefined {
  if (cache.has(hash)) return cache.get(hash);
  let url: string | undefined;
  try {
    const binary = atob(hash.replace(/-/g, '+').replace(/_/g, '/'));
    url = thumbHashToDataURL(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    url = undefined;
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(hash, url);
  return url;
}
