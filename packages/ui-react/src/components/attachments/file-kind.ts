/** What a file card's icon shows. */
export type FileKind = 'pdf' | 'doc' | 'sheet' | 'archive' | 'code' | 'file';

// Each pattern matches an extension (lower case) or a word of a MIME type. Order matters: Office's
// `…spreadsheetml…` and `…wordprocessingml…` types also contain "xml".
const KINDS: [FileKind, RegExp][] = [
  ['pdf', /pdf$/],
  ['sheet', /^(xlsx?|ods|csv|tsv|numbers)$|sheet|excel|\/csv$/],
  [
    'doc',
    /^(docx?|odt|rtf|pages|txt|md|pptx?|odp|key)$|word|presentation|powerpoint|opendocument\.text|^text\/(plain|markdown)/,
  ],
  ['archive', /^(zip|rar|7z|tar|gz|tgz|bz2|xz|zst)$|zip|compressed|tar|rar/],
  [
    'code',
    /^(m?js|tsx?|jsx|json|html?|css|py|rb|go|rs|java|kt|swift|[ch]|cpp|cs|php|sh|sql|ya?ml|xml|toml)$|json|script|xml|yaml|^text\//,
  ],
];

const match = (value: string | undefined) =>
  value ? KINDS.find(([, pattern]) => pattern.test(value))?.[0] : undefined;

/** The kind of a file from its MIME type (unless it is the generic one), else its extension. */
export function fileKind(mimeType: string | undefined, name: string | undefined): FileKind {
  const mime = mimeType?.toLowerCase();
  const dot = name?.lastIndexOf('.') ?? -1;
  return (
    (mime !== 'application/octet-stream' && match(mime)) ||
    (dot > 0 ? match(name?.slice(dot + 1).toLowerCase()) : undefined) ||
    'file'
  );
}

/** The icon of each kind (decorative: the name says what the file is). */
export const FILE_ICONS: Record<FileKind, string> = {
  pdf: '📕',
  doc: '📝',
  sheet: '📊',
  archive: '🗜️',
  code: '📜',
  file: '📄',
};

/**
 * A file name in two parts, for an ellipsis in the middle: the start, cut with "…" when the card
 * is too narrow, and the end kept whole (the extension and a few characters before it), so
 * "quarterly-report-final-v2.pdf" reads "quarterly-re…al-v2.pdf".
 */
export function splitName(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  const keep = Math.min(name.length, Math.max(8, Math.min(16, dot > 0 ? name.length - dot + 5 : 0)));
  return [name.slice(0, name.length - keep), name.slice(name.length - keep)];
}
