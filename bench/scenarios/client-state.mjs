// Scenario 6 — client state, in Node: events applied per second to a @chat/core channel that
// holds 10,000 messages (the pure reducer one event at a time and in batches, and the whole path
// from a socket frame through ChatClient to the channel's store: the channel alone, and open
// beside a 500-channel list with the subscribers an app has), the memory 10,000 messages take,
// and a cold start from IndexedDB (fake-indexeddb) with 100 channels × 200 messages.
// Chromium's real IndexedDB comes with the UI scenario (see README.md).
import 'fake-indexeddb/auto';
import {
  applyChannelEvent,
  applyChannelEvents,
  ChatClient,
  createIndexedDbStorage,
  emptyChannelState,
  loadChannelState,
} from '@chat/core';
import {
  channel,
  serverState as listedState,
  member,
  memoryFetch,
  memorySocketClass,
} from '../browser/pages/fixtures.mjs';
import { messageShape } from '../lib/message-shape.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { fmt, summarize } from '../lib/stats.mjs';

deadline('client-state', envNumber('BENCH_CLIENT_LIMIT_S', QUICK ? 120 : 300));
const MESSAGES = envNumber('BENCH_CLIENT_MESSAGES', QUICK ? 1_000 : 10_000);
const EVENTS = envNumber('BENCH_CLIENT_EVENTS', QUICK ? 1_000 : 5_000);
/** Timed rounds of EVENTS through ChatClient; the median is reported. */
const ROUNDS = envNumber('BENCH_CLIENT_ROUNDS', QUICK ? 3 : 7);
// Frames per socket read: a 64 KiB read holds about 90 of these ~725-byte message.new frames, and
// Node's WebSocket (undici, without permessage-deflate, as the reference server runs it)
// dispatches the frames of one read back to back, in one task.
const FRAMES_PER_READ = envNumber('BENCH_CLIENT_FRAMES_PER_READ', 100);
// Channels in the list beside the open channel (the realistic ChatClient rows): a member of many
// channels whose <ChannelList> has loaded a few pages.
const LIST_CHANNELS = envNumber('BENCH_CLIENT_LIST_CHANNELS', 500);
const CHANNELS = envNumber('BENCH_COLD_CHANNELS', QUICK ? 10 : 100);
const PER_CHANNEL = envNumber('BENCH_COLD_MESSAGES', QUICK ? 50 : 200);
const gc = globalThis.gc ?? (() => {});
const CID = 'messaging:big';
const ME = 'me';
const OTHER = 'other';
const T0 = Date.parse('2025-01-01T00:00:00Z');

function message(cid, seq, userId = OTHER) {
  return messageShape({
    cid,
    seq,
    text: `Message ${seq}: a line of chat about the same length as people write, give or take a word.`,
    userId,
    at: new Date(T0 + seq * 1000).toISOString(),
    clientMsgId: `c-${seq}`,
  });
}
function serverState(cid, count) {
  return {
    channel: channel(cid, count),
    members: [member(cid, ME), member(cid, OTHER)],
    messages: Array.from({ length: count }, (_, i) => message(cid, i + 1, i % 3 === 0 ? ME : OTHER)),
    read: [],
    membership: member(cid, ME),
    draft: null,
  };
}
const newEvent = (cid, seq) => ({
  type: 'message.new',
  cid,
  seq,
  created_at: new Date(T0 + seq * 1000).toISOString(),
  message: message(cid, seq),
});
const updateEvent = (cid, seq, target) => {
  const m = {
    ...message(cid, target),
    text: `edited at ${seq}`,
    edited_at: new Date(T0 + seq * 1000).toISOString(),
  };
  return { type: 'message.updated', cid, seq, created_at: m.edited_at, message: m };
};

const rows = [];
const summary = [];

// A. The reducer alone.
log(`client-state: reducer, ${fmt(MESSAGES)} messages`);
const raw = JSON.stringify(serverState(CID, MESSAGES));
let t = performance.now();
let state = loadChannelState(emptyChannelState(CID), JSON.parse(raw), ME);
const loadMs = performance.now() - t;
rows.push([
  `Load ${fmt(MESSAGES)} messages into an empty channel (\`loadChannelState\`, JSON parse included)`,
  `${fmt(loadMs, 1)} ms`,
]);

const news = Array.from({ length: EVENTS }, (_, i) => newEvent(CID, MESSAGES + 1 + i));
t = performance.now();
for (const event of news) state = applyChannelEvent(state, event, ME).state;
const newRate = (EVENTS * 1000) / (performance.now() - t);
rows.push([
  `\`applyChannelEvent\`: message.new, ${fmt(MESSAGES)} → ${fmt(MESSAGES + EVENTS)} messages`,
  `${fmt(newRate)} events/s`,
]);
let seq = MESSAGES + EVENTS;
const updates = Array.from({ length: EVENTS }, (_, i) =>
  updateEvent(CID, seq + 1 + i, 1 + ((i * 7919) % MESSAGES)),
);
t = performance.now();
for (const event of updates) state = applyChannelEvent(state, event, ME).state;
const updateRate = (EVENTS * 1000) / (performance.now() - t);
seq += EVENTS;
rows.push([
  `\`applyChannelEvent\`: message.updated of random messages, ${fmt(state.messages.length)} messages`,
  `${fmt(updateRate)} events/s`,
]);
if (state.lastSeq !== seq)
  throw new Error(`reducer did not apply every event (lastSeq ${state.lastSeq}, expected ${seq})`);

// The same events in batches of FRAMES_PER_READ (what a channel handle does with one socket read),
// from the same 10,000-message state.
const chunks = (items) =>
  Array.from({ length: Math.ceil(items.length / FRAMES_PER_READ) }, (_, i) =>
    items.slice(i * FRAMES_PER_READ, (i + 1) * FRAMES_PER_READ),
  );
state = loadChannelState(emptyChannelState(CID), JSON.parse(raw), ME);
t = performance.now();
for (const batch of chunks(news)) state = applyChannelEvents(state, batch, ME).state;
const batchNewRate = (EVENTS * 1000) / (performance.now() - t);
rows.push([
  `\`applyChannelEvents\`: message.new in batches of ${FRAMES_PER_READ}, ${fmt(MESSAGES)} → ${fmt(MESSAGES + EVENTS)} messages`,
  `${fmt(batchNewRate)} events/s`,
]);
t = performance.now();
for (const batch of chunks(updates)) state = applyChannelEvents(state, batch, ME).state;
const batchUpdateRate = (EVENTS * 1000) / (performance.now() - t);
rows.push([
  `\`applyChannelEvents\`: message.updated of random messages in batches of ${FRAMES_PER_READ}, ${fmt(state.messages.length)} messages`,
  `${fmt(batchUpdateRate)} events/s`,
]);
if (state.lastSeq !== seq)
  throw new Error(`batched reducer did not apply every event (lastSeq ${state.lastSeq}, expected ${seq})`);

// B. The whole path: socket frame (text) → ChatClient → Channel.handleEvent → store → subscribers.
// Twice: the watched channel alone (the history's rows), then open beside a channel list of
// LIST_CHANNELS loaded by `channels.paginate`, as an app shows it (the realistic figure).
// Answers in a microtask: the client's own work, not the event loop's, is what is timed.
const nextTask = () => new Promise((resolve) => setImmediate(resolve));
/**
 * A client watching CID (filled by events to MESSAGES messages), then EVENTS message.new frames
 * at FRAMES_PER_READ per read, then EVENTS more one frame per task. With `list`, the channel is one
 * of `list` channels loaded page by page through `channels.paginate` (answered over REST by
 * `memoryFetch`), and the list and the unread total have subscribers too, as `useChannels` and
 * `useUnreadCount` subscribe.
 */
async function clientPath({ list = 0 } = {}) {
  const Socket = memorySocketClass(queueMicrotask);
  // A watch answers at most 100 messages (and a frame is at most 64 KiB), so the channel is filled
  // to MESSAGES by events first, then the timed events follow.
  Socket.state = JSON.stringify(serverState(CID, 100));
  // The open channel and `list - 1` others, whose newest messages are older than its events.
  const listed = list
    ? [
        serverState(CID, 100),
        ...Array.from({ length: list - 1 }, (_, i) =>
          listedState(`messaging:list-${i}`, 1 + i, { newest: 25 }),
        ),
      ]
    : [];
  const client = new ChatClient({
    apiKey: 'bench',
    baseUrl: 'http://127.0.0.1:9',
    env: { WebSocket: Socket, fetch: memoryFetch(listed) },
  });
  await client.connect({ id: ME }, 'token');
  const heard = { channel: 0, list: 0, total: 0 };
  let latestList = null;
  if (list) {
    // What <ChannelList> does through `useChannels`, pages as big as the server allows.
    const query = client.channels.paginate({ sort: { last_message_at: -1 }, limit: 100 });
    query.state.subscribe(() => {
      heard.list++;
      latestList = query.state.getSnapshot();
    });
    client.channels.unreadTotal.subscribe(() => {
      heard.total++;
      client.channels.unreadTotal.getSnapshot();
    });
    await query.reload();
    while (query.state.getSnapshot().hasMore) await query.loadMore();
    const { entries } = query.state.getSnapshot();
    if (entries.length !== list || !entries.some((e) => e.cid === CID))
      throw new Error(`the channel list holds ${entries.length} channels, expected ${list} with ${CID}`);
  }
  const handle = client.channel('messaging', 'big');
  await handle.watch({ messageLimit: 100 });
  // A subscriber like a UI's: it reads the snapshot on every change.
  let latest = null;
  handle.state.subscribe(() => {
    heard.channel++;
    latest = handle.state.getSnapshot();
  });
  /**
   * Delivers frames the way a socket does: `perRead` frames back to back in one task (one socket
   * read), then the next read in a later task. The time includes the subscribers' last notification.
   */
  async function deliver(frames, perRead) {
    heard.channel = heard.list = heard.total = 0;
    const started = performance.now();
    for (let i = 0; i < frames.length; i += perRead) {
      for (const frame of frames.slice(i, i + perRead)) Socket.last.push(frame);
      await nextTask();
    }
    return performance.now() - started;
  }
  const reached = (target) => {
    const at = latest?.lastSeq ?? 0;
    if (at !== target) return ` (the subscriber only saw seq ${at})`;
    const top = latestList?.entries[0];
    if (list && (top?.cid !== CID || top.lastMessage?.seq !== target))
      return ` (the list subscriber saw ${top?.cid} at seq ${top?.lastMessage?.seq} on top)`;
    return '';
  };
  const counts = () =>
    list
      ? `${fmt(heard.channel)}, ${fmt(heard.list)} and ${fmt(heard.total)} notifications`
      : `${fmt(heard.channel)} notifications`;
  const subscribers = list
    ? 'subscribers on the channel, the list and the unread total'
    : 'one store subscriber';
  const name = list ? `ChatClient, the channel open in a list of ${fmt(list)} channels` : 'ChatClient';
  const out = [];
  const fill = Array.from({ length: MESSAGES - 100 }, (_, i) => JSON.stringify(newEvent(CID, 101 + i)));
  const fillMs = await deliver(fill, FRAMES_PER_READ);
  out.push([
    `${name}: filling the channel from 100 to ${fmt(MESSAGES)} messages with message.new frames, ${FRAMES_PER_READ} per read`,
    `${fmt(fillMs, 1)} ms (${fmt(((MESSAGES - 100) * 1000) / fillMs)} events/s)`,
  ]);
  let to = MESSAGES;
  const frames = (count) =>
    Array.from({ length: count }, (_, i) => JSON.stringify(newEvent(CID, to + 1 + i)));
  // A round is a few tens of ms on a shared machine: the median of several is the figure.
  const from = to;
  const rates = [];
  let check = '';
  for (let round = 0; round < ROUNDS; round++) {
    rates.push((EVENTS * 1000) / (await deliver(frames(EVENTS), FRAMES_PER_READ)));
    to += EVENTS;
    check ||= reached(to);
  }
  const pathRate = summarize(rates).p50;
  out.push([
    `${name}: message.new frames (text) through the socket, ${FRAMES_PER_READ} per read, median of ${ROUNDS} rounds of ${fmt(EVENTS)} (${fmt(from)} → ${fmt(to)} messages), ${subscribers} (${counts()} in the last round)`,
    `${fmt(pathRate)} events/s (rounds ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))})${check}`,
  ]);
  // The floor: one frame per task, as browsers dispatch WebSocket messages (each its own task).
  const single = frames(EVENTS);
  const singleRate = (EVENTS * 1000) / (await deliver(single, 1));
  out.push([
    `${name}: the same, one frame per task, ${fmt(to)} → ${fmt(to + EVENTS)} messages (${counts()})`,
    `${fmt(singleRate)} events/s${reached(to + EVENTS)}`,
  ]);
  await client.disconnect();
  return { rows: out, pathRate };
}
log('client-state: ChatClient path');
const alone = await clientPath();
rows.push(...alone.rows);
log(`client-state: ChatClient path, the channel in a list of ${LIST_CHANNELS}`);
const inList = await clientPath({ list: LIST_CHANNELS });
rows.push(...inList.rows);
const pathRate = alone.pathRate;
const listRate = inList.pathRate;

// C. Memory of 10,000 messages in a channel snapshot. The clients above let go of their state
// in timers (watch grace periods, socket closes): wait for those, or their garbage is counted
// against the snapshot (a run measured -1.5 MB).
await new Promise((resolve) => setTimeout(resolve, 1_000));
gc();
gc();
const heap0 = process.memoryUsage().heapUsed;
let held = loadChannelState(emptyChannelState(CID), JSON.parse(raw), ME);
gc();
gc();
const heap1 = process.memoryUsage().heapUsed;
const perMessage = (heap1 - heap0) / held.messages.length;
rows.push([
  `Memory of a channel snapshot holding ${fmt(held.messages.length)} messages (JS heap after GC; the JSON is ${fmt(raw.length / 1024 / 1024, 1)} MB)`,
  `${fmt((heap1 - heap0) / 1024 / 1024, 1)} MB (${fmt(perMessage)} B per message)`,
]);
held = null;

// D. Cold start from IndexedDB (fake-indexeddb in Node).
const FakeSocket = memorySocketClass(queueMicrotask);
log(`client-state: cold start, ${CHANNELS} × ${PER_CHANNEL} messages`);
const apiKey = `bench-${Date.now()}`;
const seed = createIndexedDbStorage({ apiKey, userId: ME, messageLimit: PER_CHANNEL });
for (let c = 0; c < CHANNELS; c++) {
  const cid = `messaging:cold-${c}`;
  const s = serverState(cid, PER_CHANNEL);
  await seed.putChannel({ channel: s.channel, members: s.members, read: [], seq: PER_CHANNEL });
  await seed.putMessages(cid, s.messages);
}
seed.close?.();
const coldTimes = [];
let listed = 0;
let loadedMessages = 0;
for (let run = 0; run < 3; run++) {
  FakeSocket.never = true;
  const started = performance.now();
  const cold = new ChatClient({
    apiKey,
    baseUrl: 'http://127.0.0.1:9',
    storage: ({ apiKey: key, userId }) =>
      createIndexedDbStorage({ apiKey: key, userId, messageLimit: PER_CHANNEL }),
    env: { WebSocket: FakeSocket, fetch: memoryFetch() },
  });
  const ready = new Promise((resolve) => {
    const check = () => {
      if (cold.channels.list.getSnapshot().length >= CHANNELS) resolve(performance.now() - started);
    };
    cold.channels.list.subscribe(check);
    check();
  });
  void cold.connect({ id: ME }, 'token').catch(() => {});
  const ms = await Promise.race([ready, new Promise((r) => setTimeout(() => r(Number.NaN), 30_000))]);
  coldTimes.push(ms);
  listed = cold.channels.list.getSnapshot().length;
  loadedMessages = cold.channel('messaging', 'cold-0').state.getSnapshot().messages.length;
  await cold.disconnect().catch(() => {});
}
const cold = summarize([...coldTimes]);
rows.push([
  `Cold start: ChatClient.connect → channel list filled from IndexedDB (fake-indexeddb), ${CHANNELS} channels × ${PER_CHANNEL} messages (${listed} listed, ${loadedMessages} messages in the first handle)`,
  `first ${fmt(coldTimes[0], 1)} ms, median of 3 ${fmt(cold.p50, 1)} ms`,
]);

summary.push(
  {
    figure: `Events applied/s into a ${fmt(MESSAGES)}-message channel (reducer, message.new)`,
    ours: fmt(newRate),
    target: '≥ 100,000',
    met: newRate >= 100_000,
  },
  {
    figure: `Events applied/s into a ${fmt(MESSAGES)}-message channel (reducer, message.new, batches of ${FRAMES_PER_READ})`,
    ours: fmt(batchNewRate),
    target: '≥ 100,000',
    met: batchNewRate >= 100_000,
  },
  {
    figure: `Events applied/s into a ${fmt(MESSAGES)}-message channel open beside a ${fmt(LIST_CHANNELS)}-channel list (ChatClient, socket frames, ${FRAMES_PER_READ} per read; subscribers on the channel, list and unread total: what an app does)`,
    ours: fmt(listRate),
    target: '≥ 100,000',
    met: listRate >= 100_000,
  },
  {
    figure: `Events applied/s into a ${fmt(MESSAGES)}-message channel (ChatClient, socket frames, ${FRAMES_PER_READ} per read; the channel in no list, one subscriber)`,
    ours: fmt(pathRate),
  },
  {
    figure: `Memory per ${fmt(MESSAGES)} messages (channel snapshot)`,
    ours: `${fmt((perMessage * MESSAGES) / 1024 / 1024, 1)} MB`,
  },
  {
    figure: `Cold start from IndexedDB, ${CHANNELS} × ${PER_CHANNEL} (Node, fake-indexeddb)`,
    ours: `${fmt(cold.p50, 1)} ms`,
    target: '< 50 ms (in Chromium: browser-client)',
  },
);

writeReport({
  scenario: 'client-state',
  title: 'Client state (@chat/core in Node)',
  notes: [
    "Timed in the bench process with the built @chat/core. Messages have the server's shape (~100 characters of text, a user ref, no attachments). The ChatClient path uses an in-memory socket that answers the auth and watch frames, so no network is timed: each event is a JSON text frame, parsed, routed to the channel handle, reduced and stored, with one subscriber reading the snapshot.",
    `The rows "the channel open in a list of ${fmt(LIST_CHANNELS)} channels" are what an app does, and the summary's figure for the ≥ 100,000 target: before the channel is watched, \`channels.paginate({ sort: { last_message_at: -1 }, limit: 100 })\` loads ${fmt(LIST_CHANNELS)} channels (the open one among them) page by page from an in-memory REST answer (each channel with its newest 25 messages), and subscribers read the channel's state, the list query's state (as \`useChannels\` does) and the unread total (as \`useUnreadCount\` does) on every notification. Every event is from another user, so it moves the channel to the top of the list and bumps the unread total. The plain ChatClient rows (the channel in no list, one subscriber) are kept for comparison with earlier runs.`,
    `Frames arrive as from a real socket: ${FRAMES_PER_READ} frames back to back in one task (about one 64 KiB read of these ~725-byte frames; Node's WebSocket dispatches the frames of a read in one loop), then the next read in a later task (\`setImmediate\`). The events of one task are applied as one batch with one store notification. The one-frame-per-task row is the floor, and what browsers do: they dispatch every WebSocket message as its own task. \`applyChannelEvent\` rows apply one event at a time (a copy of the message list per event); \`applyChannelEvents\` rows apply batches of ${FRAMES_PER_READ}.`,
    "Cold start in Chromium's real IndexedDB is the browser-client scenario; the UI is the ui scenario (see README.md).",
  ],
  tables: [{ columns: ['Measurement', 'Result'], rows }],
  summary,
});
process.exit(0);
