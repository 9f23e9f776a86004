import type { UserRef } from '../core-types';
import type { Translator } from '../i18n/strings';

/** What to call a user: their name, else their id. */
export const displayName = (user: Pick<UserRef, 'id' | 'name'>) => user.name?.trim() || user.id;

/** Up to two letters for an avatar: first letters of the first and last word of the name. */
export function initials(user: Pick<UserRef, 'id' | 'name'>): string {
  const words = displayName(user)
    .split(/[\s._-]+/)
    .filter(Boolean);
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words.at(-1)?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** A stable hue per user id, so a person keeps their avatar colour everywhere. */
export function hueOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

/** `YYYY-MM-DD` of a timestamp in local time: the key that date separators compare. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "Today", "Yesterday", or the date, for a date separator. */
export function dayLabel(iso: string, t: Translator, now = new Date()): string {
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return t('messageList.today');
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday.toISOString())) return t('messageList.yesterday');
  const date = new Date(iso);
  const kind = date.getFullYear() !== now.getFullYear() ? 'dateWithYear' : 'date';
  return formatter(kind, t.locale).format(date);
}

/** The time of day of a message, e.g. "14:05" or "2:05 PM" by locale. */
export const timeOfDay = (iso: string, locale: string | undefined) =>
  formatter('time', locale).format(new Date(iso));

const FORMATS = {
  time: { hour: 'numeric', minute: '2-digit' },
  date: { weekday: 'long', month: 'long', day: 'numeric' },
  dateWithYear: { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/**
 * One formatter per kind and locale, made once: `toLocale*String` with options builds a new one
 * on every call, which was a tenth of the script time while scrolling a long list.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: keyof typeof FORMATS, locale: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}|${locale ?? ''}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, FORMATS[kind]);
    formatters.set(key, made);
  }
  return made;
}

/** A file size for people: "812 B", "4.2 KB", "3.1 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Names as a sentence lists them, in the locale's words: "Ann, Bo, and Cy". */
export const joinNames = (names: readonly string[], locale: string | undefined) =>
  new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);

/**
 * How long ago `iso` was, in words ("5 minutes ago", "yesterday"); past a week, the date. For a
 * "last seen" line: precise enough to tell a minute from an hour, never a wall of digits.
 */
export function timeAgo(iso: string, locale: string | undefined, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  const relative = relativeFormatter(locale);
  if (seconds < 60) return relative.format(0, 'minute');
  if (seconds < 3600) return relative.format(-Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return relative.format(-Math.floor(seconds / 3600), 'hour');
  if (seconds < 7 * 86_400) return relative.format(-Math.floor(seconds / 86_400), 'day');
  return formatter('date', locale).format(new Date(iso));
}

const relativeFormatters = new Map<string, Intl.RelativeTimeFormat>();
function relativeFormatter(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = locale ?? '';
  let made = relativeFormatters.get(key);
  if (!made) {
    made = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormatters.set(key, made);
  }
  return made;
}
