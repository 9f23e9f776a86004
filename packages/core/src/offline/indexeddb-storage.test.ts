import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIndexedDbStorage, indexedDbName } from './indexeddb-storage';
import { cached, messages } from './test/fixtures';

const A = 'messaging:a';

describe('createIndexedDbStorage', () => {
  it('keeps one database per application and user, so accounts never mix', async () => {
    const indexedDB = new IDBFactory();
    const alice = createIndexedDbStorage({ apiKey: 'app1', userId: 'alice', indexedDB });
    const bob = createIndexedDbStorage({ apiKey: 'app1', userId: 'bob', indexedDB });
    const otherApp = createIndexedDbStorage({ apiKey: 'app2', userId: 'alice', indexedDB });
    await alice.putChannel(cached(A));
    await alice.putMessages(A, messages(A, 1, 2));
    await alice.queue.add({
      op: { type: 'read.mark', cid: A },
      status: 'pending',
      attempts: 0,
      created_at: 1,
    });
    for (const other of [bob, otherApp]) {
      expect(await other.getChannels()).toEqual([]);
      expect(await other.getMessages(A)).toEqual([]);
      expect(await other.queue.list()).toEqual([]);
    }
    await bob.clear();
    expect(await alice.getChannel(A)).toEqual(cached(A));
    const names = (await indexedDB.databases()).map((db) => db.name).sort();
    expect(names).toEqual(
      [indexedDbName('app1', 'alice'), indexedDbName('app1', 'bob'), indexedDbName('app2', 'alice')].sort(),
    );
    for (const storage of [alice, bob, otherApp]) storage.close?.();
  });

  it('escapes the separator, so ids with colons cannot collide', () => {
    expect(indexedDbName('a:b', 'c')).not.toBe(indexedDbName('a', 'b:c'));
  });

  it('opens nothing until the first call', async () => {
    const indexedDB = new IDBFactory();
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    expect(await indexedDB.databases()).toEqual([]);
    await storage.getChannels();
    expect(await indexedDB.databases()).toEqual([{ name: indexedDbName('k', 'alice'), version: 1 }]);
    storage.close?.();
  });

  it('keeps its data across a reload (a new storage over the same database)', async () => {
    const indexedDB = new IDBFactory();
    const before = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    await before.putChannel(cached(A, 9));
    await before.putMessages(A, messages(A, 1, 3));
    const item = await before.queue.add({
      op: { type: 'message.delete', cid: A, message_id: 'm1' },
      status: 'pending',
      attempts: 0,
      created_at: 1,
    });
    before.close?.();
    const after = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    expect(await after.getChannels()).toEqual([cached(A, 9)]);
    expect(await after.getMessages(A)).toEqual(messages(A, 1, 3));
    expect(await after.queue.list()).toEqual([item]);
    after.close?.();
  });

  it('steps aside when another tab deletes or upgrades the database, and reopens on the next call', async () => {
    const indexedDB = new IDBFactory();
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    await storage.putChannel(cached(A));
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(indexedDbName('k', 'alice'));
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('blocked: the storage kept its connection open'));
    });
    expect(await storage.getChannels()).toEqual([]);
    await storage.putChannel(cached(A));
    expect(await storage.getChannels()).toEqual([cached(A)]);
    storage.close?.();
  });

  it('can be reopened after close', async () => {
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB: new IDBFactory() });
    await storage.putChannel(cached(A));
    storage.close?.();
    expect(await storage.getChannel(A)).toEqual(cached(A));
    storage.close?.();
  });

  it('says so when there is no IndexedDB (Node, some React Native setups)', () => {
    expect('indexedDB' in globalThis).toBe(false);
    expect(() => createIndexedDbStorage({ apiKey: 'k', userId: 'alice' })).toThrow(/createMemoryStorage/);
  });

  it('rejects a write whose transaction fails, without breaking later calls', async () => {
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB: new IDBFactory() });
    // A record without a usable cid is rejected by the key path.
    await expect(storage.putChannel({ ...cached(A), channel: undefined as never })).rejects.toThrow();
    await storage.putChannel(cached(A));
    expect(await storage.getChannels()).toEqual([cached(A)]);
    storage.close?.();
  });
});
