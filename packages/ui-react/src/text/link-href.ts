/**
 * Schemes a link in a message may use. Everything else (`javascript:`, `data:`, `vbscript:`,
 * `file:`, app schemes…) stays text: a chat message is untrusted input from another person.
 */
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * The href for a link written in a message (`[text](url)`, `<url>`), normalised by the URL
 * parser, or `null` when it is not an absolute http(s) or mailto URL. The parser is the judge
 * rather than a pattern on the text: it sees through mixed case, tabs, newlines and leading
 * control characters the way a browser does, and entities (`&#x61;`) are not decoded in a
 * message, so `jav&#x61;script:` is not a URL at all. A `www.` address is taken as https, as
 * `linkify` does.
 *
 * @example
 * safeLinkHref('HTTPS://Example.com/a') // 'https://example.com/a'
 * safeLinkHref('JaVa\tScRiPt:alert(1)') // null
 */
export function safeLinkHref(raw: string | null | undefined): string | null {
  const text = raw?.trim();
  if (!text) return null;
  try {
    const url = new URL(/^www\./i.test(text) ? `https://${text}` : text);
    return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
