// Scenario 2 — multi-node fan-out: the fan-out workload with the members spread over 2 server
// processes that share Redis (and PostgreSQL), against Socket.IO with its Redis adapter on 2
// nodes. The sender is on node 0; half the receivers are on node 1. See README.md.
import { runFanout, SENDER_LIMITS_ENV, TARGETS } from '../lib/fanout-run.mjs';
import { writeReport } from '../lib/report.mjs';
import {
  deadline,
  envNumber,
  FANOUT_COLUMNS,
  fanoutRows,
  flags,
  log,
  parseSizes,
  profileTable,
  QUICK,
} from '../lib/scenario.mjs';
import { servicesAvailable } from '../lib/services.mjs';
import { fmt, ratio } from '../lib/stats.mjs';

deadline('multinode', envNumber('BENCH_MULTINODE_LIMIT_S', QUICK ? 300 : 600));
const sizes = parseSizes(process.env.BENCH_MULTINODE_SIZES ?? (QUICK ? '100x10' : '2000x20'));
const windowMs = envNumber('BENCH_WINDOW_S', QUICK ? 2 : 10) * 1000;
const profile = process.env.BENCH_PROFILE === '1';

const services = await servicesAvailable();
if (!services.ok) {
  writeReport({
    scenario: 'multinode',
    title: 'Multi-node fan-out (2 nodes sharing Redis)',
    notes: [
      `Skipped: ${services.reason}. Start PostgreSQL and Redis (or set BENCH_DATABASE_URL / BENCH_REDIS_URL).`,
    ],
  });
  process.exit(0);
}

const runs = [
  { def: TARGETS['sio-redis'], nodes: 2, label: 'socket.io + Redis adapter, 2 nodes' },
  { def: TARGETS['chat-pg'], nodes: 2, label: 'this server, PostgreSQL + Redis, 2 nodes' },
  { def: TARGETS['sio-redis'], nodes: 1, label: 'socket.io + Redis adapter, 1 node' },
  { def: TARGETS['chat-pg'], nodes: 1, label: 'this server, PostgreSQL + Redis, 1 node' },
].filter(
  (run) =>
    !(process.env.BENCH_MULTINODE_TARGETS ?? '').trim() ||
    process.env.BENCH_MULTINODE_TARGETS.split(',').includes(`${run.def.id}-${run.nodes}`),
);

const tables = [];
const summary = [];
for (const { members, rate } of sizes) {
  const results = [];
  for (const run of runs) {
    log(`multinode N=${members} @ ${rate}/s → ${run.label}`);
    const r = await runFanout(
      { ...run.def, id: `${run.def.id}-${run.nodes}`, label: run.label },
      { members, rate, windowMs, nodes: run.nodes, profile: profile && run.def.kind === 'chat', log },
    );
    results.push(r);
    if (r.error) log(`  failed: ${r.error}`);
    else
      log(
        `  ${fmt(r.deliveredPerS)} deliveries/s, loss ${fmt(r.loss * 100, 2)}%, p99 ${fmt(r.latency.p99, 1)} ms, ` +
          `${fmt(r.cpuPerDeliveryUs, 1)} µs CPU/delivery, ${flags(r)}`,
      );
  }
  tables.push({
    title: `N = ${fmt(members)} members, ${rate} msgs/s; "× socket.io" compares with socket.io on 2 nodes`,
    columns: FANOUT_COLUMNS.map((c) => (c === '× bare ws' ? '× same, 1 node' : c)),
    rows: fanoutRows(results, { bareId: '__none__', sioId: 'sio-redis-2' }).map((row, i) => {
      const r = results[i];
      const single = results.find((o) => o.id === `${r.id.replace(/-\d$/, '')}-1` && !o.error);
      row[6] = r.nodes === 2 && single && !r.error ? ratio(r.cpuPerDeliveryUs, single.cpuPerDeliveryUs) : '–';
      return row;
    }),
    note: [
      'Server CPU is the sum over both nodes; "Server CPU (core)" is per node. Redis is shared by both nodes (its CPU is not in the server column).',
      ...results.filter((r) => r.notes?.length).map((r) => `${r.label}: ${r.notes.join('; ')}`),
    ].join('\n\n'),
  });
  for (const r of results) {
    const t = profileTable(r);
    if (t) tables.push(t);
  }
  const ours = results.find((r) => r.id === 'chat-pg-2' && !r.error);
  const sio = results.find((r) => r.id === 'sio-redis-2' && !r.error);
  if (ours && sio) {
    summary.push(
      {
        figure: `Server CPU per delivery, 2 nodes (N=${fmt(members)} × ${rate}/s)`,
        ours: `${fmt(ours.cpuPerDeliveryUs, 1)} µs`,
        peer: 'socket.io + Redis, 2 nodes',
        peerValue: `${fmt(sio.cpuPerDeliveryUs, 1)} µs`,
        ratio: ratio(ours.cpuPerDeliveryUs, sio.cpuPerDeliveryUs),
        target: '≤ 0.71×',
        met: ours.cpuPerDeliveryUs <= sio.cpuPerDeliveryUs / 1.4,
      },
      {
        figure: `p99 latency, 2 nodes (N=${fmt(members)} × ${rate}/s)`,
        ours: `${fmt(ours.latency.p99, 1)} ms`,
        peer: 'socket.io + Redis, 2 nodes',
        peerValue: `${fmt(sio.latency.p99, 1)} ms`,
        ratio: ratio(ours.latency.p99, sio.latency.p99),
      },
      {
        figure: `Loss, 2 nodes (N=${fmt(members)} × ${rate}/s)`,
        ours: `${fmt(ours.loss * 100, 2)}%`,
        peer: 'socket.io + Redis, 2 nodes',
        peerValue: `${fmt(sio.loss * 100, 2)}%`,
        target: '0',
        met: ours.loss === 0,
      },
    );
  }
}

writeReport({
  scenario: 'multinode',
  title: 'Multi-node fan-out (2 nodes sharing Redis)',
  notes: [
    `Receivers alternate between the nodes; the sender is on node 0, so half the deliveries cross Redis. Window ${windowMs / 1000} s.`,
    `This server: ${Object.entries(SENDER_LIMITS_ENV)
      .map(([k, v]) => `${k}=${v}`)
      .join(
        ', ',
      )} (one user sends every message); both nodes share one PostgreSQL schema and one Redis prefix.`,
  ],
  tables,
  summary,
});
