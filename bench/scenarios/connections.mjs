// Scenario 3 — connections: (a) N idle sockets (authenticated, for this server): resident memory
// per socket and connection rate, against a bare ws server and Socket.IO; (b) what connecting
// costs when the users share one big channel (presence goes to every co-member); (c) a reconnect
// storm: every client of a node dropped by its restart, while messages keep flowing from another
// node: time until all are back and resumed (`since`), and whether anything was lost.
import { readFileSync } from 'node:fs';
import { prepare, withStack } from '../lib/connections-setup.mjs';
import { quiesce, TARGETS } from '../lib/fanout-run.mjs';
import { startLoadGen } from '../lib/loadgen.mjs';
import { reconnectStorm } from '../lib/reconnect-storm.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { servicesAvailable } from '../lib/services.mjs';
import { fmt, kb, mb, ratio, summarize } from '../lib/stats.mjs';

deadline('connections', envNumber('BENCH_CONNECTIONS_LIMIT_S', QUICK ? 300 : 720));
const IDLE = envNumber('BENCH_IDLE_SOCKETS', QUICK ? 300 : 10_000);
const SHARED = envNumber('BENCH_SHARED_CHANNEL_MEMBERS', QUICK ? 100 : 1_000);
const CONCURRENCY = envNumber('BENCH_CONNECT_CONCURRENCY', 100); // per load generator process
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

if (services.ok && PARTS.includes('storm')) {
  await reconnectStorm({ tables, summary });
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
