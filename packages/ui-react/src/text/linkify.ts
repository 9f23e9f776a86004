/** A piece of message text: plain, or a link to a checked http(s) URL. */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// Only http(s) URLs are candidates; `javascript:`, `data:` and the like never match, so they stay
// text. The match stops at whitespace and at characters that cannot end a URL in prose.
// A `www.` address without a scheme is a candidate too (linked as https): people type them so.
const URL_PATTERN = /\b(?:https?:\/\/|www\.(?=[a-z0-9-]+\.[a-z]))[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]+$/;

/** The URL if it parses as http(s), normalised by the URL parser; else `null`. */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Drops trailing punctuation and unbalanced closing brackets: "(see https://x.y/a)." → "https://x.y/a". */
function trimUrl(candidate: string): string {
  let url = candidate.replace(TRAILING_PUNCTUATION, '');
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']'],
  ] as const) {
    while (url.endsWith(close) && url.split(close).length > url.split(open).length) {
      url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
    }
  }
  return url;
}

const URL_AT_START = new RegExp(`^${URL_PATTERN.source.replace(/^\\b/, '')}`, 'i');

/**
 * The URL at the very start of `text`, by the same rules as `linkify` (scheme or `www.`,
 * trailing prose punctuation left out), or `null`. The markdown renderer asks this at each place
 * a URL may start, so `_` or `*` inside a URL never turn into emphasis.
 *
 * @example
 * matchUrlAt('https://a.io/__init__ and more') // { raw: 'https://a.io/__init__', href: 'https://a.io/__init__' }
 */
export function matchUrlAt(text: string): { raw: string; href: string } | null {
  const match = URL_AT_START.exec(text);
  if (!match) return null;
  const raw = trimUrl(match[0]);
  const href = safeHttpUrl(/^www\./i.test(raw) ? `https://${raw}` : raw);
  return href ? { raw, href } : null;
}

/**
 * Splits text into plain parts and links. The result is rendered as React text and `<a>`
 * elements, never as HTML, so markup in a message shows as the characters it is.
 *
 * @example
 * linkify('see https://example.com.') // [text 'see ', link 'https://example.com', text '.']
 * linkify('www.example.com/a') // [link 'www.example.com/a' → https://www.example.com/a]
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const raw = trimUrl(match[0]);
    const href = safeHttpUrl(/^www\./i.test(raw) ? `https://${raw}` : raw);
    if (!href) continue;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    segments.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}
