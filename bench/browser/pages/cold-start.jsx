// The page of the browser-client scenario: seeds Chromium's IndexedDB through @chat/core's
// storage, and (in a later page load, a new JS context) times a cold start: a ChatClient with
// its IndexedDB cache, rendered by @chat/ui-react's <ChannelList>, until every cached channel is
// a row in the DOM. The server never answers (see the scenario), so only the cache can fill it.
import { ChatClient, createIndexedDbStorage, indexedDbName } from '@chat/core';
import { ChannelList, Chat } from '@chat/ui-react';
import '@chat/ui-react/styles.css';
import { createRoot } from 'react-dom/client';
import { channel, ME, member, message, OTHERS } from './fixtures.mjs';

const ROW = '[data-testid="chat-channel-list-item"]';

/** Writes `channels` × `messages` the way core's offline sync writes them (one record, then messages). */
async function seed({ apiKey, channels, messages }) {
  const started = performance.now();
  const storage = createIndexedDbStorage({ apiKey, userId: ME, messageLimit: messages });
  await storage.clear();
  for (let c = 0; c < channels; c++) {
    const cid = `messaging:cold-${String(c).padStart(3, '0')}`;
    const members = [ME, ...OTHERS].map((id) => member(cid, id));
    const list = Array.from({ length: messages }, (_, i) => message(cid, i + 1, { base: c * 100_000 }));
    await storage.putChannel({
      channel: channel(cid, messages),
      members,
      read: [],
      seq: messages,
      last_message: list.at(-1) ?? null,
    });
    await storage.putMessages(cid, list);
  }
  const check = await storage.getChannels();
  storage.close();
  return { ms: performance.now() - started, channels: check.length };
}

const request = (r) =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const openDb = (apiKey) => request(indexedDB.open(indexedDbName(apiKey, ME)));

/** The newest cached message of a channel: one record, by a reverse cursor on core's `by_cid` index. */
async function newestMessage(db, cid) {
  const index = db.transaction('messages').objectStore('messages').index('by_cid');
  const cursor = await request(index.openCursor(IDBKeyRange.only(cid), 'prev'));
  return cursor ? [cursor.value] : [];
}

/**
 * A storage that notes when its reads finish, to split the cold start into phases. With
 * `newestOnly` (a diagnosis, not core's behaviour) `getMessages` reads only each channel's newest
 * message: what a cold start that fills the list first would read before the list shows.
 */
function timed(storage, marks, t0, { newestOnly = false, apiKey } = {}) {
  let pending = 0;
  let db;
  const getMessages = async (cid) => {
    if (!newestOnly) return storage.getMessages(cid);
    db ??= openDb(apiKey);
    return newestMessage(await db, cid);
  };
  return {
    ...storage,
    ...(storage.getChannelList && {
      async getChannelList() {
        const result = await storage.getChannelList();
        marks.listRead = performance.now() - t0;
        return result;
      },
    }),
    async getChannels() {
      const result = await storage.getChannels();
      marks.channelsRead = performance.now() - t0;
      return result;
    },
    async getMessages(cid) {
      pending += 1;
      const result = await getMessages(cid);
      pending -= 1;
      if (pending === 0) marks.messagesRead = performance.now() - t0;
      return result;
    },
  };
}

/** Creates the client and renders the list; resolves with the phases, in ms from the client's creation. */
function coldStart({ apiKey, baseUrl, channels, messages, newestOnly = false, timeoutMs = 10_000 }) {
  const container = document.getElementById('root');
  const marks = {};
  return new Promise((resolve) => {
    const t0 = performance.now();
    const client = new ChatClient({
      apiKey,
      baseUrl,
      storage: ({ apiKey: key, userId }) =>
        timed(createIndexedDbStorage({ apiKey: key, userId, messageLimit: messages }), marks, t0, {
          newestOnly,
          apiKey: key,
        }),
    });
    const stopList = client.channels.list.subscribe(() => {
      if (client.channels.list.getSnapshot().length >= channels) {
        marks.listed ??= performance.now() - t0;
        stopList();
      }
    });
    const finish = (timedOut) => {
      observer.disconnect();
      clearTimeout(timer);
      const rows = container.querySelectorAll(ROW);
      resolve({
        ...marks,
        timedOut,
        rows: rows.length,
        firstRow: rows[0]?.textContent ?? null,
        connection: client.connection.getSnapshot().status,
      });
    };
    const observer = new MutationObserver(() => {
      if (marks.dom !== undefined || container.querySelectorAll(ROW).length < channels) return;
      marks.dom = performance.now() - t0;
      // The frame that shows them: rAF runs before that frame's paint, a task posted from it after.
      requestAnimationFrame(() => {
        marks.frame = performance.now() - t0;
        setTimeout(() => {
          marks.painted = performance.now() - t0;
          finish(false);
        });
      });
    });
    observer.observe(container, { childList: true, subtree: true });
    const timer = setTimeout(() => finish(true), timeoutMs);
    // An offline-first app renders at once; it does not wait for connect() to resolve.
    client.connect({ id: ME }, 'bench-token').catch(() => {});
    createRoot(container).render(
      <Chat client={client} theme="light">
        <ChannelList />
      </Chat>,
    );
  });
}

/**
 * The same reads without the SDK, each timed alone: what IndexedDB itself costs here. Reads as
 * core does (one transaction per channel for its messages), then the alternatives.
 */
async function rawReads({ apiKey }) {
  const time = async (fn) => {
    const t = performance.now();
    const value = await fn();
    return [performance.now() - t, value];
  };
  const [open, db] = await time(() => openDb(apiKey));
  const [channels, records] = await time(() =>
    request(db.transaction('channels').objectStore('channels').getAll()),
  );
  const cids = records.map((r) => r.channel.cid);
  const [messages, lists] = await time(() =>
    Promise.all(
      cids.map((cid) =>
        request(db.transaction('messages').objectStore('messages').index('by_cid').getAll(cid)),
      ),
    ),
  );
  const [newest] = await time(() => Promise.all(cids.map((cid) => newestMessage(db, cid))));
  const [keys] = await time(() => request(db.transaction('messages').objectStore('messages').getAllKeys()));
  const all = lists.flat();
  const [clone] = await time(() => structuredClone(all));
  const json = JSON.stringify(all);
  const [parse] = await time(() => JSON.parse(json));
  db.close();
  return { open, channels, messages, newest, keys, clone, parse, count: all.length, bytes: json.length };
}

window.bench = { seed, coldStart, rawReads };
