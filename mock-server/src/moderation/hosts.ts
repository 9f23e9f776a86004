import { domainToUnicode } from 'node:url';
import { fold } from './fold-text';

/**
 * Host names and email addresses in folded text, found by scanning (no regex: a long run of
 * dots and letters costs one pass). A host is a run of letters, digits, `-` and `.` with at least
 * one inner dot: bare (`evil.com`), in a URL (`https://www.evil.com/x`) or after an `@`.
 */
export interface Found {
  /** What is looked up: for a host, the host and each of its parent domains in turn. */
  key: string;
  start: number;
  end: number;
}

const HOST_CHAR = /[\p{L}\p{N}-]/u;
const LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;

function isHostChar(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45 || code === 46;
  }
  return HOST_CHAR.test(text[i]!);
}

/** Runs that look like host names, without leading or trailing dots and hyphens. */
function hostRuns(text: string): Array<{ host: string; start: number; end: number }> {
  const runs: Array<{ host: string; start: number; end: number }> = [];
  let i = 0;
  while (i < text.length) {
    if (!isHostChar(text, i)) {
      i++;
      continue;
    }
    let start = i;
    while (i < text.length && isHostChar(text, i)) i++;
    let end = i;
    while (start < end && (text[start] === '.' || text[start] === '-')) start++;
    while (end > start && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    const host = text.slice(start, end);
    if (host.includes('.')) runs.push({ host, start, end });
  }
  return runs;
}

/** Labels of the longest domain looked up for a host (`a.b.c.evil.example.com` has 6). */
const LABELS_MAX = 10;

/** Every host in the text, and each of its parent domains (a list entry covers subdomains). */
export function hostsIn(text: string): Found[] {
  const found: Found[] = [];
  for (const { host, start, end } of hostRuns(text)) {
    const name = host.includes('xn--') ? fold(domainToUnicode(host) || host) : host;
    const labels = name.split('.');
    // Down to two labels: a bare top-level domain is never an entry.
    for (let k = Math.min(labels.length, LABELS_MAX); k >= 2; k--) {
      found.push({ key: labels.slice(-k).join('.'), start, end });
    }
  }
  return found;
}

/** Every email address in the text: the local part before each `@` and the host after it. */
export function addressesIn(text: string): Found[] {
  const found: Found[] = [];
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && LOCAL_CHAR.test(text[start - 1]!)) start--;
    let end = at + 1;
    while (end < text.length && isHostChar(text, end)) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    if (start < at && end > at + 1) found.push({ key: text.slice(start, end), start, end });
  }
  return found;
}

/**
 * A domain entry as looked up: folded, Unicode (a punycode `xn--` entry matches the name
 * written in its script), without a scheme, path, port, `*.` or leading dot.
 */
export function foldDomain(entry: string): string {
  let value = entry.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  value = value
    .replace(/[/?#:].*$/s, '')
    .replace(/^\*?\.+/, '')
    .replace(/\.+$/, '');
  const unicode = value.includes('xn--') ? domainToUnicode(value.toLowerCase()) || value : value;
  return fold(unicode);
}
