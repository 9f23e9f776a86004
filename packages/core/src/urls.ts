import { ValidationError } from './errors';

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];

function trimSlash(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/**
 * The URL of a REST call: `{name}` placeholders of the path filled from `params` (encoded), and
 * the query string. Lists become comma-separated, as the server's list parameters expect.
 * Encoded by hand: React Native's URLSearchParams is incomplete.
 */
export function restUrl(
  baseUrl: string,
  path: string,
  params?: Record<string, unknown>,
  query?: Record<string, QueryValue>,
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params?.[key];
    if (value === undefined || value === null || value === '') {
      throw new ValidationError({
        code: 'validation_failed',
        status: 400,
        message: `Missing path parameter "${key}"`,
        details: { issues: [{ path: ['params', key], message: 'Required' }] },
      });
    }
    return encodeURIComponent(String(value));
  });
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return `${trimSlash(baseUrl)}${filled}${pairs.length > 0 ? `?${pairs.join('&')}` : ''}`;
}

/** The socket URL for a REST base URL: same host, `ws(s)` scheme, api key in the query. */
export function socketUrl(baseUrl: string, apiKey: string): string {
  const base = trimSlash(baseUrl).replace(/^http(s?):\/\//i, 'ws$1://');
  return `${base}/v1/ws?api_key=${encodeURIComponent(apiKey)}`;
}
