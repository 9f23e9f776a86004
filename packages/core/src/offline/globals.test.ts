import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Host globals the offline layer must never read on import, nor with an injected IndexedDB. */
const GUARDED = [
  'window',
  'document',
  'localStorage',
  'indexedDB',
  'IDBKeyRange',
  'IDBRequest',
  'IDBTransaction',
  'IDBDatabase',
  'IDBObjectStore',
  'IDBIndex',
  'IDBCursor',
] as const;

const touched: string[] = [];
const saved = new Map<string, PropertyDescriptor | undefined>();

function guardGlobals() {
  for (const name of GUARDED) {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        throw new Error(`global ${name} read`);
      },
    });
  }
}

afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
  saved.clear();
  touched.length = 0;
});

describe('offline layer and host globals', () => {
  it('touches no global when imported', async () => {
    vi.resetModules();
    guardGlobals();
    const offline = await import('./index');
    expect(typeof offline.createIndexedDbStorage).toBe('function');
    expect(touched).toEqual([]);
  });

  it('uses only the injected IDBFactory, never the IndexedDB globals', async () => {
    const indexedDB = new IDBFactory();
    const { createIndexedDbStorage, SyncQueue } = await import('./index');
    guardGlobals();
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    const queue = new SyncQueue(storage);
    await queue.add({ type: 'read.mark', cid: 'messaging:a' });
    await storage.putMessages('messaging:a', []);
    await storage.deleteChannel('messaging:a');
    await queue.flush(async () => ({ status: 'ok' }));
    await storage.clear();
    storage.close?.();
    expect(touched).toEqual([]);
  });
});
