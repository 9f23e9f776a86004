import type { Path } from './schema-paths';

/**
 * Reading and writing JSON values by path, without ever touching a prototype: a key named
 * `__proto__` is written as an own property, as JSON.parse would make it.
 */

type Container = Record<string | number, unknown>;

/** A deep copy as JSON would carry it (own `__proto__` keys included). */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function getAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const step of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined;
    value = (value as Container)[step];
  }
  return value;
}

function put(container: Container, key: string | number, value: unknown): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of `root` with `value` at `path`, creating the objects and arrays on the way. */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = jsonClone(root);
  const top = (
    copy !== null && typeof copy === 'object' ? copy : typeof path[0] === 'number' ? [] : {}
  ) as Container;
  let container = top;
  for (const [index, step] of path.slice(0, -1).entries()) {
    const next = Object.hasOwn(container, step) ? container[step] : undefined;
    if (next !== null && typeof next === 'object') container = next as Container;
    else {
      const created = (typeof path[index + 1] === 'number' ? [] : {}) as Container;
      put(container, step, created);
      container = created;
    }
  }
  put(container, path.at(-1)!, value);
  return top;
}

/** A copy of `root` without what is at `path` (an array closes the gap). */
export function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const copy = jsonClone(root);
  const parent = getAt(copy, path.slice(0, -1));
  const last = path.at(-1)!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (parent !== null && typeof parent === 'object') delete (parent as Container)[last];
  return copy;
}

/** Every path in a JSON value below its root, containers and leaves alike. */
export function pathsIn(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...path, key], ...pathsIn(item, [...path, key])]);
}

/** The objects in a JSON value (its root included), where an extra key can go. */
export function objectPaths(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [path];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return [...here, ...entries.flatMap(([key, item]) => objectPaths(item, [...path, key]))];
}

/** Every string in a value that is not safe text (NUL or not well-formed UTF-16), keys included. */
export function unsafeTextPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return isUnsafe(value) ? [path] : [];
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  const found: Path[] = [];
  // Walked with a stack of its own: mutations nest values thousands of levels deep.
  const pending: [Path, unknown][] = entries.map(([key, item]) => [[...path, key], item]);
  for (let next = 0; next < pending.length; next++) {
    const [at, item] = pending[next]!;
    const key = at.at(-1);
    if (typeof key === 'string' && isUnsafe(key)) {
      found.push(at);
      continue;
    }
    if (typeof item === 'string') {
      if (isUnsafe(item)) found.push(at);
    } else if (item !== null && typeof item === 'object') {
      const children: [string | number, unknown][] = Array.isArray(item)
        ? item.map((child, index) => [index, child])
        : Object.entries(item);
      pending.push(...children.map(([k, child]): [Path, unknown] => [[...at, k], child]));
    }
  }
  return found;
}

/** The review's definition of text that must never reach the database. */
export const isUnsafe = (text: string): boolean => text.includes('\u0000') || !text.isWellFormed();

/**
 * Whether a body has a key the JSON parser refuses outright (Fastify's prototype-poisoning
 * guard): `__proto__` anywhere, or a `constructor` holding a `prototype`. Such a body is refused
 * as a whole, before any field could be named.
 */
export function reachesPrototype(value: unknown): boolean {
  const pending = [value];
  for (let next = 0; next < pending.length; next++) {
    const item = pending[next];
    if (item === null || typeof item !== 'object') continue;
    if (!Array.isArray(item)) {
      if (Object.hasOwn(item, '__proto__')) return true;
      const ctor = (item as Record<string, unknown>).constructor;
      if (
        Object.hasOwn(item, 'constructor') &&
        ctor !== null &&
        typeof ctor === 'object' &&
        Object.hasOwn(ctor, 'prototype')
      ) {
        return true;
      }
    }
    pending.push(...Object.values(item));
  }
  return false;
}
