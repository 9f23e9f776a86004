// Scenario 3 — connections: (a) N idle sockets (authenticated, for this server): resident memory
// per socket and connection rate, against a bare ws server and Socket.IO; (b) what connecting
// costs when the users share one big channel (presence goes to every co-member); (c) a reconnect
// storm: every client of a node dropped by its restart, while messages keep flowing from another
// node: time until all are back and resumed (`since`), and whether anything was lost.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { BenchClient, benchText, nowMs } from '../lib/clients.mjs';
import { quiesce, SENDER_LIMITS_ENV, TARGETS } from '../lib/fanout-run.mjs';
import { startLoadGen } from '../lib/loadgen.mjs';
import { freePort, startTarget } from '../lib/proc.mjs';
import { summarizeProfile } from '../lib/profile.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, kb, mapLimit, mb, ratio, sleep, summarize } from '../lib/stats.mjs';

deadline('connections', envNumber('BENCH_CONNECTIONS_LIMIT_S', QUICK ? 300 : 720));
const IDLE = envNumber('BENCH_IDLE_SOCKETS', QUICK ? 300 : 10_000);
const SHARED = envNumber('BENCH_SHARED_CHANNEL_MEMBERS', QUICK ? 100 : 1_000);
// Users in the storm: one sender on node B and STORM − 1 clients on node A, in channels of GROUP.
const STORM = envNumber('BENCH_STORM_USERS', QUICK ? 201 : 10_001);
const GROUP = envNumber('BENCH_STORM_CHANNEL_SIZE', QUICK ? 21 : 101);
const STORM_RATE = envNumber('BENCH_STORM_RATE', QUICK ? 20 : 50);
const STORM_LIMIT_MS = envNumber('BENCH_STORM_LIMIT_S', 60) * 1000;
const CONCURRENCY = envNumber('BENCH_CONNECT_CONCURRENCY', 100); // per load generator process
// BENCH_PROFILE=1: node A is CPU-profiled while the storm comes back (adds overhead to it).
const PROFILE = process.env.BENCH_PROFILE === '1';
const PARTS = (process.env.BENCH_CONNECTIONS_PARTS ?? 'idle,shared,storm').split(',');

const services = await servicesAvailable();
const fdLimit = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
const notes = [
  `Open-file limit per process: ${fdLimit} (each server process holds one descriptor per socket; each of the 2 load generator processes holds half the clients), so ${fmt(IDLE)} sockets fit.`,
  `Connect rate: ${CONCURRENCY} handshakes in flight per load generator process (${2 * CONCURRENCY} in all); for this server a handshake is the WebSocket upgrade, the auth frame with a user JWT (HS256, verified), the user's row and presence, and the ack.`,
  'Memory per socket: RSS of the server process after a full GC with the sockets open and idle, minus its RSS after a full GC before they connected, divided by the sockets.',
];
if (!services.ok) notes.push(`PostgreSQL + Redis parts skipped: ${services.reason}.`);
const tables = [];
const summary = [];

async function withStack(fn) {
  const stack = [];
  try {
    return await fn(stack);
  } catch (error) {
    return { error: error?.message ?? String(error) };
  } finally {
    for (const undo of stack.reverse()) {
      try {
        await undo();
      } catch {}
    }
  }
}

/** Starts a target (with a fresh app for this server) and mints the users' tokens. */
async function prepare(def, stack, count, extraEnv = {}) {
  const env = { ...def.env, ...extraEnv };
  let ns = null;
  if (def.services) {
    ns = runNamespace(`conn_${def.id}`);
    Object.assign(env, ns.env);
    stack.push(() => ns.cleanup());
  }
  const credentials = def.kind === 'chat' ? newCredentials() : null;
  if (credentials) Object.assign(env, appEnv(credentials));
  const server = await startTarget(def.kind, { env, name: `conn-${def.id}` });
  stack.push(() => server.stop());
  const ids = Array.from({ length: count }, (_, i) => `u${i}`);
  let tokens = [];
  let rest = null;
  if (credentials) {
    rest = await restClient(server.url, credentials);
    await rest.upsertUsers(ids);
    tokens = await userTokens(credentials.apiSecret, ids);
  }
  const target = { kind: def.kind, host: '127.0.0.1', port: server.port, apiKey: credentials?.apiKey };
  return { env, ns, server, ids, tokens, rest, target, credentials };
}

// (a) Idle sockets: memory per socket and connection rate.
async function idle(def) {
  return withStack(async (stack) => {
    log(`connections: ${fmt(IDLE)} idle sockets → ${def.label}`);
    const { server, ids, tokens, target } = await prepare(def, stack, IDLE);
    await quiesce([server], { maxMs: 10_000 });
    const before = await server.gc();
    const cpuBefore = server.stat().cpuMs;
    const loadgen = await startLoadGen();
    stack.push(() => loadgen.stop());
    const specs = ids.map((userId, i) => ({ userId, token: tokens[i] }));
    const shares = loadgen.split(specs);
    await loadgen.all('init', (i) => ({ target, specs: shares[i] }));
    const t0 = Date.now();
    const connected = await loadgen.all('connect', { concurrency: CONCURRENCY, timeoutMs: 300_000 });
    const wallMs = Date.now() - t0;
    const cpuMs = server.stat().cpuMs - cpuBefore;
    const ready = connected.reduce((a, c) => a + c.ready, 0);
    const handshake = summarize(connected.flatMap((c) => c.authMs));
    await quiesce([server], { maxMs: 20_000 });
    const after = await server.gc();
    const still = (await loadgen.all('stats')).reduce((a, s) => a + s.ready, 0);
    return {
      def,
      ready,
      still,
      errors: connected.flatMap((c) => c.errors).slice(0, 2),
      rate: (ready * 1000) / wallMs,
      cpuPerConnectMs: cpuMs / Math.max(1, ready),
      handshake,
      rssBefore: before?.rss,
      rssAfter: after?.rss,
      perSocket: (after.rss - before.rss) / Math.max(1, ready),
      heapPerSocket: (after.heapUsed - before.heapUsed) / Math.max(1, ready),
    };
  });
}

const idleTargets = ['bare', 'sio', 'chat-pglite', 'chat-pg'].map((id) => TARGETS[id]);
const idleResults = [];
for (const def of PARTS.includes('idle') ? idleTargets : []) {
  if (def.services && !services.ok) continue;
  const r = await idle(def);
  if (r.error) log(`  failed: ${r.error}`);
  else log(`  ${fmt(r.rate)} connects/s, ${kb(r.perSocket)} KB RSS per socket`);
  idleResults.push({ ...r, def });
}
const bareIdle = idleResults.find((r) => r.def.id === 'bare' && !r.error);
tables.push({
  title: `${fmt(IDLE)} idle sockets`,
  columns: [
    'Target',
    'Sockets open',
    'Connects/s',
    'Handshake p50 ms',
    'Handshake p99 ms',
    'Server CPU ms/connect',
    'RSS before MB',
    'RSS after MB',
    'RSS KB/socket',
    '× bare ws',
    'JS heap KB/socket',
  ],
  rows: idleResults.map((r) =>
    r.error
      ? [r.def.label, `failed: ${r.error.slice(0, 160)}`, ...Array(9).fill('–')]
      : [
          r.def.label,
          `${fmt(r.still)}${r.ready < IDLE ? ` (${fmt(IDLE - r.ready)} failed: ${r.errors[0]})` : ''}`,
          fmt(r.rate),
          fmt(r.handshake.p50, 1),
          fmt(r.handshake.p99, 1),
          fmt(r.cpuPerConnectMs, 2),
          mb(r.rssBefore),
          mb(r.rssAfter),
          kb(r.perSocket),
          bareIdle ? ratio(r.perSocket, bareIdle.perSocket) : '–',
          kb(r.heapPerSocket),
        ],
  ),
});
for (const r of idleResults.filter((x) => x.def.kind === 'chat' && !x.error)) {
  summary.push({
    figure: `Idle memory per socket (${r.def.label.replace('this server, ', '')})`,
    ours: `${kb(r.perSocket)} KB`,
    peer: 'bare ws',
    peerValue: bareIdle ? `${kb(bareIdle.perSocket)} KB` : '–',
    ratio: bareIdle ? ratio(r.perSocket, bareIdle.perSocket) : '–',
    target: '< 12 KB',
    met: r.perSocket < 12 * 1024,
  });
  summary.push({
    figure: `Connects/s with token verification (${r.def.label.replace('this server, ', '')})`,
    ours: fmt(r.rate),
    peer: 'bare ws (no auth)',
    peerValue: bareIdle ? fmt(bareIdle.rate) : '–',
    ratio: bareIdle ? ratio(r.rate, bareIdle.rate) : '–',
  });
}

// (b) Connecting members of one big channel: presence is announced to every co-member.
const shared = !PARTS.includes('shared')
  ? { error: 'not run (BENCH_CONNECTIONS_PARTS)' }
  : await withStack(async (stack) => {
      const def = TARGETS['chat-pglite'];
      log(`connections: ${fmt(SHARED)} members of one channel connecting → ${def.label}`);
      const { server, ids, tokens, rest, target } = await prepare(def, stack, SHARED);
      await rest.createChannel('messaging', 'shared', ids);
      await quiesce([server], { maxMs: 10_000 });
      const loadgen = await startLoadGen();
      stack.push(() => loadgen.stop());
      const shares = loadgen.split(ids.map((userId, i) => ({ userId, token: tokens[i] })));
      await loadgen.all('init', (i) => ({ target, specs: shares[i] }));
      const cpuBefore = server.stat().cpuMs;
      const t0 = Date.now();
      const connected = await loadgen.all('connect', { concurrency: CONCURRENCY, timeoutMs: 300_000 });
      const wallMs = Date.now() - t0;
      await quiesce([server], { maxMs: 60_000 });
      const cpuMs = server.stat().cpuMs - cpuBefore;
      const ready = connected.reduce((a, c) => a + c.ready, 0);
      return { ready, rate: (ready * 1000) / wallMs, cpuPerConnectMs: cpuMs / Math.max(1, ready), wallMs };
    });
const soloPglite = idleResults.find((r) => r.def.id === 'chat-pglite' && !r.error);
tables.push({
  title: 'Connecting users who share one channel (this server, PGlite)',
  columns: ['Users', 'Shared channel', 'Connects/s', 'Server CPU ms/connect', 'Wall s'],
  rows: [
    soloPglite
      ? [fmt(IDLE), 'none', fmt(soloPglite.rate), fmt(soloPglite.cpuPerConnectMs, 2), '–']
      : ['–', 'none', '–', '–', '–'],
    shared.error
      ? [fmt(SHARED), 'all members', `failed: ${shared.error.slice(0, 160)}`, '–', '–']
      : [
          fmt(SHARED),
          `all ${fmt(SHARED)} members of one channel`,
          fmt(shared.rate),
          fmt(shared.cpuPerConnectMs, 2),
          fmt(shared.wallMs / 1000, 1),
        ],
  ],
  note: 'Each connect marks the user online and announces `user.presence.changed` to every user sharing a channel with them (a query returning all co-members, then one frame per connected co-member), so the k-th member to connect costs O(k): connecting N members of one channel costs O(N²).',
});

// (c) Reconnect storm: STORM members in channels of GROUP (a workspace of team channels), all
// on node A; one user on node B, a member of every channel, sends round robin meanwhile.
async function storm(def) {
  return withStack(async (stack) => {
    log(`connections: reconnect storm of ${fmt(STORM - 1)} clients → ${def.label}`);
    const portA = await freePort();
    const extraEnv = def.kind === 'chat' ? SENDER_LIMITS_ENV : {};
    const prepared = await prepare(def, stack, STORM, { ...extraEnv, PORT: String(portA) });
    const { ids, tokens, rest, target } = prepared;
    let nodeA = prepared.server;
    stack.push(() => nodeA.stop());
    const nodeB = await startTarget(def.kind, {
      env: { ...prepared.env, PORT: '0' },
      name: `storm-${def.id}-b`,
    });
    stack.push(() => nodeB.stop());
    const chat = def.kind === 'chat';
    const perChannel = GROUP - 1; // the sender is in every channel
    const channels = Math.ceil((STORM - 1) / perChannel);
    const room = (k) => (chat ? `messaging:storm-${k}` : `storm-${k}`);
    const expectedMessages = Math.ceil(STORM_RATE * 240) + 1000;

    const loadgen = await startLoadGen();
    stack.push(() => loadgen.stop());
    const specs = ids.slice(1).map((userId, i) => {
      const channelIndex = Math.floor(i / perChannel);
      return { userId, token: tokens[i + 1], cids: [room(channelIndex)], channelIndex };
    });
    const shares = loadgen.split(specs);
    await loadgen.all('init', (i) => ({
      target,
      specs: shares[i],
      watchOnConnect: !chat,
      trackSeq: true,
      resume: true,
      track: true,
      maxMessages: expectedMessages,
    }));
    const connected = await loadgen.all('connect', { concurrency: CONCURRENCY, timeoutMs: 300_000 });
    let ready = connected.reduce((a, c) => a + c.ready, 0);

    const sent = { n: 0, acked: 0, errors: 0 };
    let senderWatched;
    const sender = await new Promise((resolve, reject) => {
      const client = new BenchClient(
        { ...target, port: nodeB.port },
        {
          userId: ids[0],
          token: tokens[0],
          ...(chat && { cids: Array.from({ length: channels }, (_, k) => room(k)) }),
        },
        0,
        {
          ready: () => (senderWatched ? senderWatched() : resolve(client)),
          failed: (_c, error) => reject(error),
          ack: () => sent.acked++,
          error: () => sent.errors++,
        },
        { watchOnConnect: false },
      );
      client.connect();
    });
    stack.push(() => sender.destroy());
    if (chat) {
      await mapLimit(
        Array.from({ length: channels }, (_, k) => k),
        4,
        (k) =>
          rest.createChannel('messaging', `storm-${k}`, [
            ids[0],
            ...ids.slice(1 + k * perChannel, 1 + (k + 1) * perChannel),
          ]),
      );
      const watched = new Promise((resolve) => {
        senderWatched = resolve;
      });
      sender.watch();
      const w = await loadgen.all('watch', { concurrency: CONCURRENCY, timeoutMs: 300_000 });
      ready = w.reduce((a, c) => a + c.ready, 0);
      await watched;
    }
    await quiesce([nodeA, nodeB], { maxMs: 30_000 });

    // Messages flow from B through the whole storm: message n goes to channel n % channels.
    const tick = 10;
    const started = Date.now();
    const sendTimer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) * STORM_RATE) / 1000);
      while (sent.n < due) {
        sender.sendBench(benchText(sent.n, 100), sent.n, room(sent.n % channels));
        sent.n++;
      }
    }, tick);
    stack.push(() => clearInterval(sendTimer));
    await sleep(1_000);

    await loadgen.all('reconnect', { on: true });
    const t0 = nowMs();
    await nodeA.stop();
    const downMs = nowMs() - t0;
    nodeA = await startTarget(def.kind, {
      env: { ...prepared.env, PORT: String(portA) },
      name: `storm-${def.id}-a2`,
    });
    const upMs = nowMs() - t0;
    let status;
    const cpuA = { t: nowMs(), cpu: nodeA.stat().cpuMs };
    if (PROFILE && def.kind === 'chat') await nodeA.profile('start');
    const limit = Date.now() + STORM_LIMIT_MS;
    while (Date.now() < limit) {
      await sleep(250);
      const parts = await loadgen.all('storm', { generation: 1 });
      status = parts.reduce(
        (acc, p) => ({
          back: acc.back + p.back,
          lastReadyAt: Math.max(acc.lastReadyAt, p.lastReadyAt),
          recovered: acc.recovered + p.recovered,
          unrecovered: acc.unrecovered + p.unrecovered,
          attempts: acc.attempts + p.attempts,
          replayed: acc.replayed + p.replayed,
          closes: merge(acc.closes, p.closes),
          failures: merge(acc.failures, p.failures),
          states: merge(acc.states, p.states),
        }),
        {
          back: 0,
          lastReadyAt: 0,
          recovered: 0,
          unrecovered: 0,
          attempts: 0,
          replayed: 0,
          closes: {},
          failures: {},
          states: {},
        },
      );
      if (process.env.BENCH_VERBOSE && Math.round((nowMs() - t0) / 250) % 8 === 0)
        log(
          `  storm +${fmt((nowMs() - t0) / 1000, 1)} s: ${fmt(status.back)} back, ${fmt(status.attempts)} attempts, closes ${JSON.stringify(status.closes)}, client states ${JSON.stringify(status.states)}`,
        );
      if (status.back >= ready) break;
    }
    const allBackMs = status.back >= ready ? status.lastReadyAt - t0 : Number.POSITIVE_INFINITY;
    const nodeAUtil = (nodeA.stat().cpuMs - cpuA.cpu) / (nowMs() - cpuA.t);
    if (PROFILE && def.kind === 'chat') {
      const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      const file = `${dir}storm-${def.id}.cpuprofile`;
      if ((await nodeA.profile('stop', file))?.ok) {
        const { functions, origins } = summarizeProfile(file);
        log(`  node A profile while coming back (${file}):`);
        for (const o of origins.slice(0, 8)) log(`    ${o.origin}: ${fmt(o.share * 100)}%`);
        for (const f of functions.slice(0, 15)) log(`    ${fmt(f.share * 100, 1)}% ${f.name} ${f.where}`);
      }
    }
    await sleep(2_000); // a little more traffic after everyone is back
    clearInterval(sendTimer);
    const total = sent.n;
    // Drain: until every client has every message of its channel, or nothing changes for 3 s.
    let verify;
    let last = -1;
    let still = Date.now();
    while (Date.now() - still < 3_000) {
      await sleep(250);
      const parts = await loadgen.all('verify', { upTo: total, channels });
      verify = parts.reduce(
        (a, p) => ({ lossy: a.lossy + p.lossy, lost: a.lost + p.lost, example: a.example ?? p.example }),
        {
          lossy: 0,
          lost: 0,
          example: null,
        },
      );
      if (verify.lost === 0) break;
      if (verify.lost !== last) still = Date.now();
      last = verify.lost;
    }
    return {
      def,
      clients: ready,
      channels,
      back: status.back,
      downMs,
      upMs,
      allBackMs,
      attemptsPerClient: status.attempts / Math.max(1, ready),
      recovered: status.recovered,
      unrecovered: status.unrecovered,
      replayed: status.replayed,
      messages: total,
      acked: sent.acked,
      lossy: verify.lossy,
      lost: verify.lost,
      example: verify.example,
      closes: status.closes,
      failures: status.failures,
      nodeAUtil,
    };
  });
}

function backIn(r) {
  return Number.isFinite(r.allBackMs)
    ? `${fmt(r.allBackMs / 1000, 1)} s`
    : `not within ${fmt(STORM_LIMIT_MS / 1000)} s (${fmt(r.back)} of ${fmt(r.clients)} back)`;
}

function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

const stormResults = [];
if (services.ok && PARTS.includes('storm')) {
  for (const id of (process.env.BENCH_STORM_TARGETS ?? 'sio-redis,chat-pg').split(',')) {
    const r = await storm(TARGETS[id]);
    if (r.error) log(`  failed: ${r.error}`);
    else
      log(
        `  back: ${backIn(r)}, lost ${r.lost}; closes ${JSON.stringify(r.closes)}, failures ${JSON.stringify(r.failures)}`,
      );
    stormResults.push({ ...r, def: TARGETS[id] });
  }
  tables.push({
    title: `Reconnect storm: ${fmt(STORM - 1)} clients on node A of 2 (channels of ${GROUP - 1} clients + the sender), A restarted while node B sends ${STORM_RATE} msgs/s round robin over the channels`,
    columns: [
      'Target',
      'Clients',
      'Channels',
      'Back',
      'A stopped after s',
      'A listening again after s',
      'All back and resumed after s',
      'Node A CPU while coming back',
      'Attempts per client',
      'Closed by the server (code: count)',
      'Resumed with since',
      'Replayed events',
      'Messages sent',
      'Clients missing messages',
      'Messages lost',
    ],
    rows: stormResults.map((r) =>
      r.error
        ? [r.def.label, `failed: ${r.error.slice(0, 160)}`, ...Array(13).fill('–')]
        : [
            r.def.label,
            fmt(r.clients),
            fmt(r.channels),
            fmt(r.back),
            fmt(r.downMs / 1000, 1),
            fmt(r.upMs / 1000, 1),
            backIn(r),
            `${fmt(r.nodeAUtil * 100)}%`,
            fmt(r.attemptsPerClient, 1),
            Object.entries(r.closes)
              .filter(([code]) => code !== '1006')
              .map(([code, n]) => `${code}: ${fmt(n)}`)
              .join(', ') || '–',
            r.def.kind === 'chat' ? `${fmt(r.recovered)} (${fmt(r.unrecovered)} not recoverable)` : 'n/a',
            r.def.kind === 'chat' ? fmt(r.replayed) : 'n/a',
            fmt(r.messages),
            fmt(r.lossy),
            fmt(r.lost),
          ],
    ),
    note: "Clients reconnect with @chat/core's backoff (full jitter, 500 ms base, 30 s cap) from the moment the socket closes; A is stopped with SIGTERM (this server drains and closes every socket with 1012) and started again on the same port. Time is from the SIGTERM to the last client ready again (this server: authenticated and re-watched with `since`, missed events applied). Socket.IO has no replay: what it sends while a client is away is lost to that client, which is what its row shows.",
  });
  const ours = stormResults.find((r) => r.def.id === 'chat-pg' && !r.error);
  const sio = stormResults.find((r) => r.def.id === 'sio-redis' && !r.error);
  if (ours) {
    summary.push({
      figure: `Reconnect storm, ${fmt(ours.clients)} clients: all back and resumed`,
      ours: backIn(ours),
      peer: sio ? 'socket.io + Redis (reconnect only, no resume)' : undefined,
      peerValue: sio ? backIn(sio) : undefined,
      ratio: sio ? ratio(ours.allBackMs, sio.allBackMs) : undefined,
      target: '< 10 s',
      met: ours.allBackMs < 10_000 && ours.back >= ours.clients,
    });
    summary.push({
      figure: 'Reconnect storm: messages lost',
      ours: fmt(ours.lost),
      peer: sio ? 'socket.io + Redis' : undefined,
      peerValue: sio ? fmt(sio.lost) : undefined,
      target: '0',
      met: ours.lost === 0,
    });
  }
} else {
  notes.push(
    'Reconnect storm skipped: it needs PostgreSQL and Redis (a restart must keep the data, and a second node sends meanwhile).',
  );
}

writeReport({
  scenario: 'connections',
  title: 'Connections: idle sockets, connect rate, reconnect storm',
  notes,
  tables,
  summary,
});
