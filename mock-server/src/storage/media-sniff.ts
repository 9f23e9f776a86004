import { fileTypeFromBuffer } from 'file-type';

/**
 * What an upload really is, read from its first bytes: the type a client declares (and the name it
 * gives) is never trusted, since the server blocks SVG and HTML by default and treats images apart.
 */

/** How many leading bytes sniffing needs: file-type's documented sample size. */
export const SNIFF_BYTES = 4100;

export interface SniffedType {
  mime: string;
  ext: string;
}

/**
 * The image types `processImage` accepts (by their sniffed type): what phones and browsers make.
 * Any other `image/*` (SVG, TIFF, PSD, camera raw, …) is a plain file to the server.
 */
export const PROCESSABLE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/apng',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heic',
  'image/heif',
  'image/heic-sequence',
  'image/heif-sequence',
]);

/**
 * The real type of the bytes in `head` (the upload's first SNIFF_BYTES bytes, or all of it), or null
 * when they match nothing known (nor text).
 */
export async function sniffType(head: Uint8Array): Promise<SniffedType | null> {
  const detected = await fileTypeFromBuffer(head);
  const found = detected ? { mime: detected.mime, ext: detected.ext } : null;
  // file-type reads signatures and does not tell text apart; of the text formats it names, XML may be
  // an SVG image or an XHTML page.
  if (found && found.mime !== 'application/xml') return found;
  const text = sniffText(head);
  if (text === SVG || text === HTML) return text;
  return found ?? text;
}

/** How the server treats a sniffed type: an image it can clean and preview, video, audio, or a file. */
export function mediaKind(mime: string): 'image' | 'video' | 'audio' | 'file' {
  // Only images we decode count as images: an SVG shown inline could run script.
  if (PROCESSABLE_IMAGE_TYPES.has(mime)) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'file';
}

const SVG: SniffedType = { mime: 'image/svg+xml', ext: 'svg' };
const HTML: SniffedType = { mime: 'text/html', ext: 'html' };
const TEXT: SniffedType = { mime: 'text/plain', ext: 'txt' };

/**
 * Elements that make a browser sniff a document as HTML (WHATWG MIME Sniffing, "text/html"), so an
 * HTML page that skips `<!doctype html>` and `<html>` is still caught.
 */
const HTML_ELEMENTS = new Set([
  'html',
  'head',
  'body',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'br',
  'p',
]);

/** Text (valid UTF-8 without NUL bytes), told apart as SVG, HTML or plain; null when not text. */
function sniffText(head: Uint8Array): SniffedType | null {
  if (head.length === 0 || head.includes(0)) return null;
  let text: string;
  try {
    // `stream: true` keeps a character cut in two by the end of the head from counting as invalid.
    // The decoder drops a leading BOM.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
  const root = rootElement(text);
  if (root.doctype === 'html') return HTML;
  if (root.doctype === 'svg') return SVG;
  if (root.element !== undefined) {
    // A namespace prefix (`<svg:svg>`, `<h:html>`) names the same element.
    const local = root.element.slice(root.element.indexOf(':') + 1).toLowerCase();
    if (local === 'svg') return SVG;
    if (HTML_ELEMENTS.has(local)) return HTML;
    return TEXT;
  }
  // The prolog runs past the head (a long comment, say): an `<svg` anywhere is enough to block it.
  if (root.unfinished && /<(?:[\w.-]+:)?svg[\s/>]/i.test(text)) return SVG;
  return TEXT;
}

/**
 * The name of the first element of an XML or HTML document, skipping what may come before it:
 * whitespace, the XML declaration and processing instructions, comments, and a doctype (whose name
 * is returned too). `unfinished` when the head ends inside that prolog.
 */
function rootElement(text: string): { element?: string; doctype?: string; unfinished?: boolean } {
  let doctype: string | undefined;
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const rest = text.slice(at, at + 9);
    let end: number;
    if (rest.startsWith('<?')) {
      end = text.indexOf('?>', at);
      if (end >= 0) end += 2;
    } else if (rest.startsWith('<!--')) {
      end = text.indexOf('-->', at);
      if (end >= 0) end += 3;
    } else if (rest.toLowerCase() === '<!doctype') {
      doctype = /^<!doctype\s+([\w.:-]+)/i.exec(text.slice(at))?.[1]?.toLowerCase();
      end = doctypeEnd(text, at);
    } else {
      const element = /^<([A-Za-z][\w.:-]*)(?=[\s/>]|$)/.exec(text.slice(at, at + 100))?.[1];
      return { element, doctype };
    }
    if (end < 0) return { doctype, unfinished: true };
    at = end;
  }
}

/** Where a doctype starting at `from` ends, past an internal subset (`[ … ]`) if it has one; -1 if not in `text`. */
function doctypeEnd(text: string, from: number): number {
  const close = text.indexOf('>', from);
  const subset = text.indexOf('[', from);
  if (subset < 0 || (close >= 0 && close < subset)) return close < 0 ? -1 : close + 1;
  const subsetEnd = text.indexOf(']', subset);
  if (subsetEnd < 0) return -1;
  const end = text.indexOf('>', subsetEnd);
  return end < 0 ? -1 : end + 1;
}
