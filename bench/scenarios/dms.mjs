// Scenario 4 — many small channels: U users in U/2 direct-message channels, every user sending
// at the same low rate, R messages/s in all; end-to-end latency p50/p99. Against a bare ws server
// that routes by room, Socket.IO rooms, and this server on PGlite and on PostgreSQL + Redis.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { unwind } from '../lib/cleanup.mjs';
import { quiesce, TARGETS } from '../lib/fanout-run.mjs';
import { startLoadGen } from '../lib/loadgen.mjs';
import { hostBusy, hostCpu, startTarget } from '../lib/proc.mjs';
import { summarizeProfile } from '../lib/profile.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, profileTable, QUICK } from '../lib/scenario.mjs';
import { runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, mapLimit, mb, ratio, sleep, summarize } from '../lib/stats.mjs';

deadline('dms', envNumber('BENCH_DMS_LIMIT_S', QUICK ? 300 : 420));
const USERS = envNumber('BENCH_DM_USERS', QUICK ? 200 : 5_000);
const RATE = envNumber('BENCH_DM_RATE', QUICK ? 40 : 1_000);
const windowMs = envNumber('BENCH_WINDOW_S', QUICK ? 3 : 10) * 1000;
const PROFILE = process.env.BENCH_PROFILE === '1';

const services = await servicesAvailable();
const targets = [
  { ...TARGETS.bare, label: 'bare ws, routed by room', env: { BARE_MODE: 'rooms' } },
  { ...TARGETS.sio, label: 'socket.io rooms' },
  TARGETS['chat-pglite'],
  TARGETS['chat-pg'],
  // The same, with an app that has blocklists: every send is screened (goal: server CPU per
  // message within 10% of the run without lists).
  {
    ...TARGETS['chat-pg'],
    id: 'chat-pg-lists',
    label: 'this server, PostgreSQL + Redis, with blocklists (10,000 words + 50 regexes)',
    blocklists: true,
  },
]
  .filter((def) => !def.services || services.ok)
  .filter(
    (def) => !process.env.BENCH_DMS_TARGETS || process.env.BENCH_DMS_TARGETS.split(',').includes(def.id),
  );

/**
 * A 10,000-word list and 50 regexes in `block` mode, none of which the generated texts contain
 * (each word ends in `q`, each pattern needs a `zq` the texts lack): every send is screened and
 * passes, so the figure is the screening's cost.
 */
async function createBlocklists(rest) {
  let seed = 7;
  const letter = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return String.fromCharCode(97 + Math.floor((seed / 2 ** 31) * 26));
  };
  const word = (length) => Array.from({ length }, letter).join('');
  const words = [...new Set(Array.from({ length: 12_000 }, (_, i) => `${word(4 + (i % 6))}q`))].slice(
    0,
    10_000,
  );
  const patterns = Array.from({ length: 50 }, (_, i) =>
    i % 2 === 0 ? `\\b${word(3)}zq\\d{2,4}\\b` : `${word(3)}zq\\s+${word(3)}\\w*`,
  );
  await rest.call('POST', '/v1/blocklists', { name: 'words', kind: 'word', mode: 'block', entries: words });
  await rest.call('POST', '/v1/blocklists', {
    name: 'patterns',
    kind: 'regex',
    mode: 'block',
    entries: patterns,
  });
}

async function run(def) {
  const stack = [];
  const result = { def };
  try {
    const env = { ...def.env };
    if (def.services) {
      const ns = runNamespace(`dm_${def.id}`);
      Object.assign(env, ns.env);
      stack.push(() => ns.cleanup());
    }
    const chat = def.kind === 'chat';
    const credentials = chat ? newCredentials() : null;
    if (credentials) Object.assign(env, appEnv(credentials));
    const server = await startTarget(def.kind, { env, name: `dms-${def.id}` });
    stack.push(() => server.stop());
    const ids = Array.from({ length: USERS }, (_, i) => `u${i}`);
    const pairs = USERS / 2;
    const cidOf = (i) => (chat ? `messaging:dm-${Math.floor(i / 2)}` : `dm-${Math.floor(i / 2)}`);
    let tokens = [];
    const setupStart = Date.now();
    if (chat) {
      log(`  ${def.label}: ${fmt(USERS)} users, ${fmt(pairs)} channels`);
      const rest = await restClient(server.url, credentials);
      await rest.upsertUsers(ids);
      if (def.blocklists) await createBlocklists(rest);
      await mapLimit(
        Array.from({ length: pairs }, (_, p) => p),
        8,
        (p) => rest.createChannel('messaging', `dm-${p}`, [ids[2 * p], ids[2 * p + 1]]),
      );
      tokens = await userTokens(credentials.apiSecret, ids);
    }
    result.setupS = (Date.now() - setupStart) / 1000;
    const target = { kind: def.kind, host: '127.0.0.1', port: server.port, apiKey: credentials?.apiKey };
    const specs = ids.map((userId, i) => ({ userId, token: tokens[i], cids: [cidOf(i)] }));
    const loadgen = await startLoadGen();
    stack.push(() => loadgen.stop());
    const shares = loadgen.split(specs);
    const sampleEvery = Math.max(1, Math.round((RATE * 2 * windowMs) / 1000 / 100_000));
    await loadgen.all('init', (i) => ({ target, specs: shares[i], sampleEvery }));
    const t0 = Date.now();
    const connected = await loadgen.all('connect', { concurrency: chat ? 50 : 200, timeoutMs: 300_000 });
    result.connectS = (Date.now() - t0) / 1000;
    result.ready = connected.reduce((a, c) => a + c.ready, 0);
    result.errors = connected.flatMap((c) => c.errors);
    await quiesce([server], { maxMs: 30_000 });

    await loadgen.all('reset');
    if (PROFILE && chat) await server.profile('start');
    const before = { t: Date.now(), cpu: server.stat().cpuMs, host: hostCpu() };
    const workers = loadgen.workers.length;
    await loadgen.all('send', (i) => ({
      rate: RATE / workers,
      durationMs: windowMs,
      size: 100,
      firstN: i * 1e7,
    }));
    const sendEnd = Date.now();
    let recv = 0;
    let last = Date.now();
    let stats = [];
    while (Date.now() - sendEnd < 30_000) {
      stats = await loadgen.all('stats');
      const now = stats.reduce((a, s) => a + s.recv, 0);
      const sent = stats.reduce((a, s) => a + s.sent, 0);
      const ok = chat ? stats.reduce((a, s) => a + s.acked, 0) : sent;
      const settled = !chat || stats.reduce((a, s) => a + s.acked + s.errors, 0) >= sent;
      if (now !== recv) last = Date.now();
      recv = now;
      if (settled && recv >= ok * 2) break;
      if (Date.now() - last > 3_000) break;
      await sleep(100);
    }
    const after = { t: Date.now(), cpu: server.stat().cpuMs, host: hostCpu() };
    if (PROFILE && chat) {
      const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      const file = `${dir}dms-${def.id}-${USERS}x${RATE}.cpuprofile`;
      if ((await server.profile('stop', file))?.ok) result.profile = { file, ...summarizeProfile(file) };
    }
    const collected = await loadgen.all('collect', {});
    const sent = collected.reduce((a, c) => a + c.sent, 0);
    const okSent = chat ? collected.reduce((a, c) => a + c.acked, 0) : sent;
    const deliveries = collected.reduce((a, c) => a + c.recv, 0);
    const wallMs = after.t - before.t;
    const cpuMs = after.cpu - before.cpu;
    Object.assign(result, {
      sent,
      okSent,
      sendErrors: collected.reduce((a, c) => a + c.errors, 0),
      errorCodes: collected.reduce((acc, c) => {
        for (const [code, n] of Object.entries(c.errorCodes)) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {}),
      deliveries,
      loss: okSent ? Math.max(0, okSent * 2 - deliveries) / (okSent * 2) : 0,
      sendRate: (sent * 1000) / windowMs,
      latency: summarize(collected.flatMap((c) => c.samples)),
      cpuPerMessageUs: okSent ? (cpuMs * 1000) / okSent : Number.NaN,
      serverUtil: cpuMs / wallMs,
      rss: server.stat().rss,
      drainMs: after.t - sendEnd,
      genUtil: Math.max(...collected.map((c) => c.cpuMs / c.wallMs)),
      hostBusy: hostBusy(before.host, after.host),
    });
    return result;
  } catch (error) {
    result.error = error?.message ?? String(error);
    return result;
  } finally {
    await unwind(stack);
  }
}

const results = [];
for (const def of targets) {
  log(`dms: ${fmt(USERS)} users, ${fmt(RATE)} msgs/s → ${def.label}`);
  const r = await run(def);
  if (r.error) log(`  failed: ${r.error}`);
  else
    log(`  p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms, loss ${fmt(r.loss * 100, 2)}%`);
  results.push(r);
}

const pct = (v) => `${fmt(v * 100, v > 0 && v < 0.01 ? 2 : 0)}%`;
const bare = results.find((r) => r.def.id === 'bare' && !r.error);
const sio = results.find((r) => r.def.id === 'sio' && !r.error);
const summary = [];
for (const ours of results.filter((r) => r.def.kind === 'chat' && !r.error)) {
  const where =
    ours.def.id === 'chat-pg-lists'
      ? 'PostgreSQL+Redis, blocklists'
      : ours.def.id === 'chat-pg'
        ? 'PostgreSQL+Redis'
        : 'PGlite';
  summary.push({
    figure: `DMs p99 latency (${fmt(USERS)} users, ${fmt(RATE)} msgs/s, ${where})`,
    ours: `${fmt(ours.latency.p99, 1)} ms`,
    peer: sio ? 'socket.io rooms' : undefined,
    peerValue: sio ? `${fmt(sio.latency.p99, 1)} ms` : undefined,
    ratio: sio ? ratio(ours.latency.p99, sio.latency.p99) : undefined,
  });
  summary.push({
    figure: `DMs server CPU per message (${where})`,
    ours: `${fmt(ours.cpuPerMessageUs)} µs`,
    peer: sio ? 'socket.io rooms' : undefined,
    peerValue: sio ? `${fmt(sio.cpuPerMessageUs)} µs` : undefined,
    ratio: sio ? ratio(ours.cpuPerMessageUs, sio.cpuPerMessageUs) : undefined,
  });
}

const plain = results.find((r) => r.def.id === 'chat-pg' && !r.error);
const listed = results.find((r) => r.def.id === 'chat-pg-lists' && !r.error);
if (plain && listed) {
  const cost = listed.cpuPerMessageUs / plain.cpuPerMessageUs;
  summary.push({
    figure: 'DMs server CPU per message with blocklists ÷ without (PostgreSQL+Redis)',
    ours: `${fmt(listed.cpuPerMessageUs)} µs vs ${fmt(plain.cpuPerMessageUs)} µs`,
    peer: 'the same server without lists, same run',
    peerValue: `${fmt(plain.cpuPerMessageUs)} µs`,
    ratio: ratio(listed.cpuPerMessageUs, plain.cpuPerMessageUs),
    target: '≤ 1.10×',
    met: cost <= 1.1,
  });
}

writeReport({
  scenario: 'dms',
  title: `Many small channels: ${fmt(USERS)} users in ${fmt(USERS / 2)} DMs, ${fmt(RATE)} msgs/s`,
  notes: [
    `Every user is connected and watches its one DM; the load generators send ${fmt(RATE)} msgs/s in all, round robin over the users (${fmt(RATE / USERS, 2)} msgs/s each: within this server's default per-user budgets, which stay as they are), for ${windowMs / 1000} s. Both members of a DM (the sender too) receive each message; latency is measured on every delivery.`,
    'The bare ws server parses each incoming frame for its room and forwards the frame to the room; Socket.IO emits to the room.',
  ],
  tables: [
    {
      columns: [
        'Target',
        'Sent msgs/s',
        'Loss',
        'p50 ms',
        'p99 ms',
        'max ms',
        'Server CPU µs/message',
        '× bare ws',
        '× socket.io',
        'Server CPU (core)',
        'Server RSS MB',
        'Generator CPU (max worker)',
        'Host busy',
        'Setup / connect s',
      ],
      rows: results.map((r) =>
        r.error
          ? [r.def.label, `failed: ${r.error.slice(0, 160)}`, ...Array(12).fill('–')]
          : [
              r.def.label,
              fmt(r.sendRate),
              `${pct(r.loss)}${r.sendErrors ? ` (${r.sendErrors} send errors: ${JSON.stringify(r.errorCodes)})` : ''}`,
              fmt(r.latency.p50, 1),
              fmt(r.latency.p99, 1),
              fmt(r.latency.max, 1),
              fmt(r.cpuPerMessageUs),
              bare ? ratio(r.cpuPerMessageUs, bare.cpuPerMessageUs) : '–',
              sio ? ratio(r.cpuPerMessageUs, sio.cpuPerMessageUs) : '–',
              pct(r.serverUtil),
              mb(r.rss),
              pct(r.genUtil),
              pct(r.hostBusy),
              `${fmt(r.setupS, 1)} / ${fmt(r.connectS, 1)}${r.ready < USERS ? ` (${USERS - r.ready} failed: ${r.errors[0]})` : ''}`,
            ],
      ),
    },
    ...results
      .map((r) => r.profile && profileTable({ ...r, label: r.def.label, members: USERS, rate: RATE }))
      .filter(Boolean),
  ],
  summary,
});
