/**
 * A file URL as a page may use it (`<img src>`, a link): an http(s) URL as it is, a path on the
 * chat server (`/v1/storage/file?token=…`, what a server storing files on its own disk gives)
 * made absolute against the server's URL, anything else (`javascript:`, `data:`, `//host`, a
 * relative path) null.
 */
export function resolveMediaUrl(baseUrl: string, url: string | null | undefined): string | null {
  // `//host` and `/\host` are other hosts to a browser, not paths.
  const absolute = url && /^\/(?![/\\])/.test(url) ? baseUrl.replace(/\/+$/, '') + url : url;
  try {
    const parsed = new URL(absolute ?? '');
    return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
