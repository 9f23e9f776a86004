import type { ErrorIssue } from './errors';

/**
 * Why a string cannot be stored or shown, or `undefined` when it can. PostgreSQL refuses NUL in
 * text and JSON, and a lone surrogate has no UTF-8 encoding: either would fail deep in a write
 * (a 500) or be mangled on the way out, so both are refused where client input enters.
 */
export function unsafeTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Must not contain NUL characters';
  if (!text.isWellFormed()) return 'Must be valid Unicode (no lone surrogates)';
  return undefined;
}

/** Issues reported at most per value: enough to locate the problem, not a megabyte of them. */
const MAX_ISSUES = 20;

/** A place in the value being walked: its parent and its key there, so paths are built only for issues. */
interface Place {
  value: unknown;
  key?: string | number;
  parent?: Place;
}

function pathOf(place: Place, at: (string | number)[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p: Place | undefined = place; p?.key !== undefined; p = p.parent) path.push(p.key);
  return [...at, ...path.reverse()];
}

/**
 * Every unsafe string in a JSON-like value, as an issue at its path: values at any depth, and
 * object keys (the issue then names the key itself). Walks with its own stack, so input nested
 * thousands of levels deep (which JSON.parse accepts) cannot overflow the call stack. Only
 * strings, plain objects and arrays are looked into; anything else is the schema's business.
 */
export function findUnsafeText(value: unknown, at: (string | number)[] = []): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const pending: Place[] = [{ value }];
  const seen = new Set<object>();
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const place = pending.pop()!;
    const item = place.value;
    if (typeof item === 'string') {
      const message = unsafeTextProblem(item);
      if (message) issues.push({ path: pathOf(place, at), message });
      continue;
    }
    if (item === null || typeof item !== 'object' || seen.has(item)) continue;
    seen.add(item);
    if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) {
        pending.push({ value: item[index], key: index, parent: place });
      }
      continue;
    }
    const prototype = Object.getPrototypeOf(item);
    if (prototype !== Object.prototype && prototype !== null) continue;
    const keys = Object.keys(item);
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!;
      // An unsafe key is the problem itself: the issue names it, and its value is not looked into.
      const value = unsafeTextProblem(key) ? key : (item as Record<string, unknown>)[key];
      pending.push({ value, key, parent: place });
    }
  }
  return issues;
}
