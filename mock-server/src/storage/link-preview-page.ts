import { httpUrl, LIMITS, type LinkPreview } from '@chat/protocol';
import ogs from 'open-graph-scraper';
import type { OpenGraphScraperOptions } from 'open-graph-scraper/types';

/** What a page says about itself, for any link to it (the link itself is the message's). */
export type PagePreview = Omit<LinkPreview, 'url'>;

/**
 * Reads a page's Open Graph tags (Twitter's, then its `<title>` and meta description, when it has
 * none) with open-graph-scraper, which here only parses: it is handed the HTML, never a URL, so it
 * fetches nothing. Texts become plain single-line text within the protocol's limits; the image
 * is resolved against the page's address and kept only if it is an http(s) URL. A page that
 * gives neither a title nor a description has no preview (null).
 */
export async function readPagePreview(html: string, pageUrl: URL): Promise<PagePreview | null> {
  const tagged = await parse(html, true);
  if (!tagged) return null;
  let title = plainText(tagged.ogTitle ?? tagged.twitterTitle, LIMITS.LINK_PREVIEW_TITLE_LENGTH);
  let description = plainText(
    tagged.ogDescription ?? tagged.twitterDescription,
    LIMITS.LINK_PREVIEW_DESCRIPTION_LENGTH,
  );
  if (!title || !description) {
    // No tags for it: what the page says in HTML (its <title>, its meta description). A second
    // pass, so that the library's fallbacks never come before Twitter's tags.
    const fallback = await parse(html, ['image', 'audioUrl', 'logo', 'favicon']);
    title ??= plainText(fallback?.ogTitle, LIMITS.LINK_PREVIEW_TITLE_LENGTH);
    description ??= plainText(fallback?.ogDescription, LIMITS.LINK_PREVIEW_DESCRIPTION_LENGTH);
  }
  if (!title && !description) return null;
  return {
    title,
    description,
    site_name: plainText(tagged.ogSiteName, LIMITS.LINK_PREVIEW_SITE_NAME_LENGTH),
    image_url: imageUrl(tagged.ogImage?.[0]?.url ?? tagged.twitterImage?.[0]?.url, pageUrl),
  };
}

/** The page's tags; `noFallback` says which of the library's guesses from the HTML to leave out. */
async function parse(html: string, noFallback: OpenGraphScraperOptions['onlyGetOpenGraphInfo']) {
  const parsed = await ogs({ html, onlyGetOpenGraphInfo: noFallback }).catch(() => null);
  return parsed && !parsed.error ? parsed.result : null;
}

/**
 * Text to show as it is: no control characters (line breaks and tabs become spaces), no lone
 * surrogates, spaces collapsed, at most `max` characters (cut on a character, with an ellipsis).
 */
export function plainText(value: string | undefined, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\p{Cs}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return null;
  const chars = Array.from(text);
  if (text.length <= max) return text;
  let cut = '';
  for (const char of chars) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return `${cut.trimEnd()}…`;
}

function imageUrl(raw: string | undefined, pageUrl: URL): string | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  try {
    const url = new URL(raw.trim(), pageUrl).href;
    return httpUrl.safeParse(url).success ? url : null;
  } catch {
    return null;
  }
}
