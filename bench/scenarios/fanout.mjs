// Scenario 1 — fan-out: one channel whose N members are all connected, one of them sending at a
// fixed rate; the same workload against a bare ws broadcast, Socket.IO room broadcast, and this
// server on PGlite and on PostgreSQL + Redis. See README.md.

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

deadline('fanout', envNumber('BENCH_FANOUT_LIMIT_S', QUICK ? 300 : 900));
// Left out by default, so that the whole `npm run bench` fits in 20 minutes: this server at
// 10,000 members (5,000–10,000 sockets each load the channel's state to watch it, so the setup
// alone takes minutes), and its embedded PGlite at 5,000 (the development default: its database
// runs on the server's own event loop, which at that size falls behind and drops sockets, as the
// run of 2026-11-24 09:11 in RESULTS.md shows). Add them with BENCH_FANOUT_SIZES, e.g.
// 1000x20,5000x10,10000x5.
const sizes = parseSizes(
  process.env.BENCH_FANOUT_SIZES ?? (QUICK ? '100x10' : '1000x20,5000x10:bare+sio+chat-pg,10000x5:bare+sio'),
);
const windowMs = envNumber('BENCH_WINDOW_S', QUICK ? 2 : 10) * 1000;
const profile = process.env.BENCH_PROFILE === '1';
const wanted = (process.env.BENCH_FANOUT_TARGETS ?? 'bare,sio,chat-pglite,chat-pg').split(',');

const services = await servicesAvailable();
const notes = [
  `Each size: N members of one channel connected (N−1 in ${process.env.BENCH_WORKERS ?? 2} load generator processes, the sender in the bench process); the sender publishes at the fixed rate for ${windowMs / 1000} s, every member (sender included) receives every message. Deliveries = N × messages.`,
  `Messages carry ~100 characters of text; the peers carry an event of the same shape and size as this server's \`message.new\` (~740 bytes).`,
  'Loss: deliveries of the messages the server accepted (for this server: acknowledged) that had not arrived when the drain ended (deliveries stopped for 5 s with every send answered, or 60 s after the last send). With a `backlog` flag it includes what was still queued.',
  `Server CPU is the server process's own (utime+stime from /proc) over the window and the drain after it, divided by the deliveries. "DB CPU" is the PostgreSQL backends of that server (its application_name), not counted in the server column.`,
  `This server runs with raised per-user budgets so one user may send this fast: ${Object.entries(
    SENDER_LIMITS_ENV,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}. Everything else is default (auth, membership, persistence, unread counts, presence).`,
];
if (!services.ok) notes.push(`PostgreSQL + Redis rows skipped: ${services.reason}.`);
if (profile)
  notes.push(
    'BENCH_PROFILE=1: the first node was CPU-profiled during the window, which adds overhead to its CPU figures.',
  );

const tables = [];
const summary = [];
const skipped = [];
for (const { members, rate, only } of sizes) {
  const results = [];
  for (const id of wanted) {
    const def = TARGETS[id];
    if (!def) continue;
    if (only && !only.includes(id)) {
      skipped.push(`${def.label} at N=${fmt(members)}`);
      continue;
    }
    if (def.services && !services.ok) continue;
    log(`fanout N=${members} @ ${rate}/s → ${def.label}`);
    const r = await runFanout(def, {
      members,
      rate,
      windowMs,
      profile: profile && def.kind === 'chat',
      log,
    });
    results.push(r);
    if (r.error) log(`  failed: ${r.error}`);
    else
      log(
        `  ${fmt(r.deliveredPerS)} deliveries/s, loss ${fmt(r.loss * 100, 2)}%, p99 ${fmt(r.latency.p99, 1)} ms, ` +
          `${fmt(r.cpuPerDeliveryUs, 1)} µs CPU/delivery, ${flags(r)}`,
      );
  }
  tables.push({
    title: `N = ${fmt(members)} members, ${rate} msgs/s (${fmt(members * rate)} deliveries/s offered)`,
    columns: FANOUT_COLUMNS,
    rows: fanoutRows(results),
    note: results
      .filter((r) => r.notes?.length)
      .map((r) => `${r.label}: ${r.notes.join('; ')}`)
      .join('\n\n'),
  });
  for (const r of results) {
    const t = profileTable(r);
    if (t) tables.push(t);
  }
  const bare = results.find((r) => r.id === 'bare' && !r.error);
  const sio = results.find((r) => r.id === 'sio' && !r.error);
  for (const ours of results.filter((r) => r.id.startsWith('chat') && !r.error)) {
    const where = `N=${fmt(members)} × ${rate}/s, ${ours.id === 'chat-pg' ? 'PostgreSQL+Redis' : 'PGlite'}`;
    if (bare) {
      summary.push({
        figure: `Server CPU per delivery (${where})`,
        ours: `${fmt(ours.cpuPerDeliveryUs, 1)} µs`,
        peer: 'bare ws',
        peerValue: `${fmt(bare.cpuPerDeliveryUs, 1)} µs`,
        ratio: ratio(ours.cpuPerDeliveryUs, bare.cpuPerDeliveryUs),
        target: '≤ 1.0×',
        met: ours.cpuPerDeliveryUs <= bare.cpuPerDeliveryUs,
      });
      summary.push({
        figure: `p99 latency (${where})`,
        ours: `${fmt(ours.latency.p99, 1)} ms`,
        peer: 'bare ws',
        peerValue: `${fmt(bare.latency.p99, 1)} ms`,
        ratio: ratio(ours.latency.p99, bare.latency.p99),
        target: '≤ 1.0×',
        met: ours.latency.p99 <= bare.latency.p99,
      });
    }
    if (sio) {
      summary.push({
        figure: `Server CPU per delivery (${where})`,
        ours: `${fmt(ours.cpuPerDeliveryUs, 1)} µs`,
        peer: 'socket.io',
        peerValue: `${fmt(sio.cpuPerDeliveryUs, 1)} µs`,
        ratio: ratio(ours.cpuPerDeliveryUs, sio.cpuPerDeliveryUs),
        target: '≤ 0.71× (1.4× better)',
        met: ours.cpuPerDeliveryUs <= sio.cpuPerDeliveryUs / 1.4,
      });
    }
    summary.push({
      figure: `Loss (${where})`,
      ours: `${fmt(ours.loss * 100, 2)}%`,
      target: '0',
      met: ours.loss === 0,
    });
  }
}

if (skipped.length)
  notes.push(
    `Not run: ${skipped.join(', ')}. Watching a channel costs this server O(members) in the database (members and read states are sorted per watch), so getting 10,000 sockets to watch one 10,000-member channel took ~3.5 minutes on PostgreSQL in a trial on this machine, too long for the default run; add them with \`BENCH_FANOUT_SIZES=1000x20,5000x10,10000x5\`.`,
  );
writeReport({
  scenario: 'fanout',
  title: 'Fan-out: one channel, N members connected',
  notes,
  tables,
  summary,
});
