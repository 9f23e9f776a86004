import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createIndexedDbStorage, indexedDbName } from './indexeddb-storage';
import { summarizeChannel } from './storage-adapter';
import { cached, message, messages } from './test/fixtures';

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

  it('upgrades a v1 database: list rows are built once from its records, nothing else changes', async () => {
    const indexedDB = new IDBFactory();
    const name = indexedDbName('k', 'alice');
    const request = (r: IDBRequest) =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    // The v1 schema as released, with what a v1 SDK wrote into it.
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore('channels', { keyPath: 'channel.cid' });
      db.createObjectStore('messages', { keyPath: ['cid', 'seq'] }).createIndex('by_cid', 'cid');
      db.createObjectStore('queue', { keyPath: 'id', autoIncrement: true });
    };
    const v1 = (await request(open)) as IDBDatabase;
    const B = 'messaging:b';
    const records = [{ ...cached(A, 3), last_message: message(A, 3) }, cached(B, 1)];
    const tx = v1.transaction(['channels', 'messages', 'queue'], 'readwrite');
    for (const record of records) tx.objectStore('channels').put(record);
    for (const m of messages(A, 1, 3)) tx.objectStore('messages').put(m);
    tx.objectStore('queue').add({
      op: { type: 'read.mark', cid: A },
      status: 'pending',
      attempts: 0,
      created_at: 1,
    });
    await new Promise((resolve) => {
      tx.oncomplete = resolve;
    });
    v1.close();

    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    const rows = (await storage.getChannelList?.())?.sort((x, y) => (x.cid < y.cid ? -1 : 1));
    expect(rows).toEqual(records.map((record) => summarizeChannel(record, 'alice')));
    expect(rows?.[0]).toMatchObject({
      cid: A,
      seq: 3,
      last_message: message(A, 3),
      membership: { user_id: 'alice' },
    });
    expect(await indexedDB.databases()).toEqual([{ name, version: 3 }]);
    expect(await storage.getChannel(A)).toEqual(records[0]);
    expect(await storage.getMessages(A)).toEqual(messages(A, 1, 3));
    expect(await storage.queue.list()).toHaveLength(1);
    // From then on the rows follow the records.
    await storage.deleteChannel(B);
    expect((await storage.getChannelList?.())?.map((row) => row.cid)).toEqual([A]);
    storage.close?.();
  });

  it('escapes the separator, so ids with colons cannot collide', () => {
    expect(indexedDbName('a:b', 'c')).not.toBe(indexedDbName('a', 'b:c'));
  });

  it('opens nothing until the first call', async () => {
    const indexedDB = new IDBFactory();
    const storage = createIndexedDbStorage({ apiKey: 'k', userId: 'alice', indexedDB });
    expect(await indexedDB.databases()).toEqual([]);
    await storage.getChannels();
    expect(await indexedDB.databases()).toEqual([{ name: indexedDbName('k', 'alice'), version: 3 }]);
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
