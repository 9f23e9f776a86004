// Scenario 5 — REST: sustained message sends per second (autocannon, POST
// /v1/channels/{type}/{id}/messages, each with its own client_msg_id) and the channel-list query
// (POST /v1/channels/query) of a user who is a member of 10,000 channels, on PGlite and on
// PostgreSQL. This server's REST API has no peer here: the figures compare the two stores.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { unwind } from '../lib/cleanup.mjs';
import { quiesce, TARGETS } from '../lib/fanout-run.mjs';
import { hostBusy, hostCpu, startTarget } from '../lib/proc.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, mapLimit, mb, ratio } from '../lib/stats.mjs';

deadline('rest', envNumber('BENCH_REST_LIMIT_S', QUICK ? 300 : 480));
const SEND_S = envNumber('BENCH_REST_SEND_S', QUICK ? 3 : 15);
const LIST_S = envNumber('BENCH_REST_LIST_S', QUICK ? 3 : 10);
const CHANNELS = envNumber('BENCH_REST_CHANNELS', QUICK ? 200 : 10_000);
const CONNECTIONS = envNumber('BENCH_REST_CONNECTIONS', 20);
const PAIRS = 50;

const services = await servicesAvailable();
const stores = [
  { id: 'pglite', label: 'PGlite (embedded)', def: TARGETS['chat-pglite'] },
  { id: 'pg', label: 'PostgreSQL', def: { ...TARGETS['chat-pg'], id: 'chat-pg-only' }, services: true },
].filter((s) => !s.services || services.ok);

async function load(url, apiKey, { seconds, connections, setup }) {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    requests: [{ method: 'POST', setupRequest: setup }],
  });
  const self = process.cpuUsage(cpu);
  return { result, generatorUtil: (self.user + self.system) / 1000 / (seconds * 1000) };
}

async function run(store) {
  const stack = [];
  const out = { store };
  try {
    const env = { ...store.def.env };
    if (store.services) {
      const ns = runNamespace(`rest_${store.id}`);
      // PostgreSQL only: REST needs no Redis.
      const { REDIS_URL: _r, CHAT_REDIS_PREFIX: _p, SIO_KEY: _k, ...pg } = ns.env;
      Object.assign(env, pg);
      stack.push(() => ns.cleanup());
    }
    const credentials = newCredentials();
    Object.assign(env, appEnv(credentials));
    const server = await startTarget('chat', { env, name: `rest-${store.id}` });
    stack.push(() => server.stop());
    const rest = await restClient(server.url, credentials);

    // Sends: PAIRS two-member channels; each request is one member's message into its channel.
    const senders = Array.from({ length: PAIRS * 2 }, (_, i) => `s${i}`);
    await rest.upsertUsers(senders);
    await mapLimit(
      Array.from({ length: PAIRS }, (_, p) => p),
      4,
      (p) => rest.createChannel('messaging', `pair-${p}`, [senders[2 * p], senders[2 * p + 1]]),
    );
    const tokens = await userTokens(credentials.apiSecret, senders);
    await quiesce([server], { maxMs: 10_000 });
    log(`rest: sends for ${SEND_S} s → ${store.label}`);
    let n = 0;
    const before = { cpu: server.stat().cpuMs, host: hostCpu() };
    const sends = await load(server.url, credentials.apiKey, {
      seconds: SEND_S,
      connections: CONNECTIONS,
      setup: (req) => {
        const i = n++ % senders.length;
        req.path = `/v1/channels/messaging/pair-${Math.floor(i / 2)}/messages`;
        req.headers = { ...req.headers, authorization: `Bearer ${tokens[i]}` };
        req.body = JSON.stringify({ client_msg_id: randomUUID(), text: `bench message ${n}` });
        return req;
      },
    });
    const sendCpu = server.stat().cpuMs - before.cpu;
    const r = sends.result;
    out.sends = {
      rps: r.requests.average,
      ok: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      cpuPerRequestMs: r['2xx'] ? sendCpu / r['2xx'] : Number.NaN,
      serverUtil: sendCpu / (SEND_S * 1000),
      generatorUtil: sends.generatorUtil,
      hostBusy: hostBusy(before.host, hostCpu()),
    };

    // Channel list: one user who is a member of CHANNELS channels (with 100 different partners).
    log(`rest: creating ${fmt(CHANNELS)} channels → ${store.label}`);
    const partners = Array.from({ length: 100 }, (_, i) => `p${i}`);
    await rest.upsertUsers(['owner', ...partners]);
    const t0 = Date.now();
    await mapLimit(
      Array.from({ length: CHANNELS }, (_, i) => i),
      8,
      (i) =>
        rest.call('POST', '/v1/channels', {
          type: 'messaging',
          id: `c${i}`,
          members: ['owner', partners[i % 100]],
          created_by_id: 'owner',
        }),
    );
    out.createPerS = (CHANNELS * 1000) / (Date.now() - t0);
    const [ownerToken] = await userTokens(credentials.apiSecret, ['owner']);
    await quiesce([server], { maxMs: 10_000 });
    log(`rest: channel list for ${LIST_S} s → ${store.label}`);
    const listBefore = server.stat().cpuMs;
    const list = await load(server.url, credentials.apiKey, {
      seconds: LIST_S,
      connections: 10,
      setup: (req) => {
        req.path = '/v1/channels/query';
        req.headers = { ...req.headers, authorization: `Bearer ${ownerToken}` };
        req.body = JSON.stringify({ sort: { last_message_at: -1 }, limit: 20, message_limit: 0 });
        return req;
      },
    });
    const l = list.result;
    out.list = {
      rps: l.requests.average,
      ok: l['2xx'],
      non2xx: l.non2xx,
      errors: l.errors + l.timeouts,
      p50: l.latency.p50,
      p99: l.latency.p99,
      max: l.latency.max,
      cpuPerRequestMs: l['2xx'] ? (server.stat().cpuMs - listBefore) / l['2xx'] : Number.NaN,
    };
    out.rss = server.stat().rss;
    return out;
  } catch (error) {
    out.error = error?.message ?? String(error);
    return out;
  } finally {
    await unwind(stack);
  }
}

const results = [];
for (const store of stores) {
  const r = await run(store);
  if (r.error) log(`  failed: ${r.error}`);
  results.push(r);
}

const failedRow = (r, width) => [
  r.store.label,
  `failed: ${r.error.slice(0, 160)}`,
  ...Array(width - 2).fill('–'),
];
const pglite = results.find((r) => r.store.id === 'pglite' && !r.error);
const pct = (v) => `${fmt(v * 100)}%`;
const summary = [];
for (const r of results.filter((x) => !x.error)) {
  summary.push(
    {
      figure: `REST message sends/s (${r.store.label}, ${CONNECTIONS} connections)`,
      ours: fmt(r.sends.rps),
      peer: r.store.id === 'pg' && pglite ? 'PGlite' : undefined,
      peerValue: r.store.id === 'pg' && pglite ? fmt(pglite.sends.rps) : undefined,
      ratio: r.store.id === 'pg' && pglite ? ratio(r.sends.rps, pglite.sends.rps) : undefined,
    },
    {
      figure: `Channel list p99, member of ${fmt(CHANNELS)} channels (${r.store.label})`,
      ours: `${fmt(r.list.p99)} ms`,
      peer: r.store.id === 'pg' && pglite ? 'PGlite' : undefined,
      peerValue: r.store.id === 'pg' && pglite ? `${fmt(pglite.list.p99)} ms` : undefined,
      ratio: r.store.id === 'pg' && pglite ? ratio(r.list.p99, pglite.list.p99) : undefined,
    },
  );
}

writeReport({
  scenario: 'rest',
  title: 'REST: message sends and the channel list',
  notes: [
    `Sends: autocannon, ${CONNECTIONS} connections for ${SEND_S} s, each request a new message (new client_msg_id) from one of ${PAIRS * 2} users into their two-member channel, with that user's JWT. Channel list: 10 connections for ${LIST_S} s, \`{ sort: { last_message_at: -1 }, limit: 20 }\` as a user who is a member of all ${fmt(CHANNELS)} channels of the app (the worst case of the query). The server logs at \`warn\` (at \`info\` it would log every request).`,
    services.ok
      ? 'PostgreSQL runs without Redis here (REST needs none).'
      : `PostgreSQL skipped: ${services.reason}.`,
  ],
  tables: [
    {
      title: 'Message sends',
      columns: [
        'Store',
        'Requests/s',
        '2xx',
        'non-2xx',
        'Errors',
        'p50 ms',
        'p99 ms',
        'max ms',
        'Server CPU ms/request',
        'Server CPU (core)',
        'autocannon CPU',
        'Host busy',
      ],
      rows: results.map((r) =>
        r.error
          ? failedRow(r, 12)
          : [
              r.store.label,
              fmt(r.sends.rps),
              fmt(r.sends.ok),
              fmt(r.sends.non2xx),
              fmt(r.sends.errors),
              fmt(r.sends.p50),
              fmt(r.sends.p99),
              fmt(r.sends.max),
              fmt(r.sends.cpuPerRequestMs, 2),
              pct(r.sends.serverUtil),
              pct(r.sends.generatorUtil),
              pct(r.sends.hostBusy),
            ],
      ),
    },
    {
      title: `Channel list, member of ${fmt(CHANNELS)} channels`,
      columns: [
        'Store',
        'Channels created/s (setup)',
        'Requests/s',
        '2xx',
        'non-2xx + errors',
        'p50 ms',
        'p99 ms',
        'max ms',
        'Server CPU ms/request',
        'Server RSS MB',
      ],
      rows: results.map((r) =>
        r.error
          ? failedRow(r, 10)
          : [
              r.store.label,
              fmt(r.createPerS),
              fmt(r.list.rps),
              fmt(r.list.ok),
              fmt(r.list.non2xx + r.list.errors),
              fmt(r.list.p50),
              fmt(r.list.p99),
              fmt(r.list.max),
              fmt(r.list.cpuPerRequestMs, 2),
              mb(r.rss),
            ],
      ),
    },
  ],
  summary,
});
