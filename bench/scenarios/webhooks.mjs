// Scenario 5b — webhooks: R messages/s into C channels for a window, with one endpoint subscribed
// to message.new on a receiver on loopback; deliveries/s, end-to-end lag (send → receiver and
// commit → receiver), duplicates, missing deliveries after a bounded drain, server CPU per
// delivery, jobs/s, drain time. This server on PGlite and on PostgreSQL + Redis; no peer has
// webhooks, so the goal is absolute: keeps up with the rate at p99 < 1 s on PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { unwind } from '../lib/cleanup.mjs';
import { nowMs } from '../lib/clients.mjs';
import { quiesce, TARGETS } from '../lib/fanout-run.mjs';
import { startLoadGen } from '../lib/loadgen.mjs';
import { hostBusy, hostCpu, procStat, startTarget } from '../lib/proc.mjs';
import { summarizeProfile } from '../lib/profile.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, profileTable, QUICK } from '../lib/scenario.mjs';
import { DATABASE_URL, runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, mapLimit, mb, sleep, summarize } from '../lib/stats.mjs';
import { startWebhookReceiver } from '../lib/webhook-receiver.mjs';

const CHANNELS = envNumber('BENCH_WEBHOOK_CHANNELS', QUICK ? 10 : 100);
const RATE = envNumber('BENCH_WEBHOOK_RATE', QUICK ? 50 : 1_000);
const windowMs = envNumber('BENCH_WINDOW_S', QUICK ? 3 : 10) * 1000;
const DRAIN_MS = envNumber('BENCH_WEBHOOK_DRAIN_S', QUICK ? 15 : 120) * 1000;
const WORKERS = envNumber('BENCH_WEBHOOK_WORKERS', 1);
/**
 * Senders per channel, each its own user and socket: this server serves a socket's frames one
 * after another, so the sockets must be enough for the rate at the send path's latency.
 */
const SENDERS = envNumber('BENCH_WEBHOOK_SENDERS', 5);
/** The goal (on PostgreSQL): p99 lag under this, and every message delivered. */
const GOAL_P99_MS = 1_000;
const QUEUE = 'webhook-delivery';
const PROFILE = process.env.BENCH_PROFILE === '1';
deadline(
  'webhooks',
  envNumber('BENCH_WEBHOOKS_LIMIT_S', QUICK ? 110 : 2 * (90 + windowMs / 1000 + DRAIN_MS / 1000)),
);

const require = createRequire(import.meta.resolve('@chat/server'));

/** Which server code ran: the commit, and whether the server's sources had changes beside it. */
function serverRevision() {
  const git = (...args) =>
    spawnSync('git', args, { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const changed = git('status', '--porcelain', '--', 'mock-server/src', 'packages').stdout.trim();
  const files = changed ? changed.split('\n').length : 0;
  return `commit ${head.stdout.trim()}${files ? ` with ${files} uncommitted change${files === 1 ? '' : 's'} under mock-server/src and packages/` : ''}`;
}
const revision = serverRevision();
const services = await servicesAvailable();
const skipped = [];
const targets = [TARGETS['chat-pglite'], TARGETS['chat-pg']]
  .filter(
    (def) =>
      !process.env.BENCH_WEBHOOKS_TARGETS || process.env.BENCH_WEBHOOKS_TARGETS.split(',').includes(def.id),
  )
  .filter((def) => {
    if (!def.services || services.ok) return true;
    skipped.push(`${def.label}: skipped, ${services.reason}`);
    return false;
  });

/** pg-boss's figures for the delivery queue (PostgreSQL only: PGlite lives inside the server). */
async function jobFigures(schema, from, to, end) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query(
      `select state::text as state, count(*)::int as n,
              count(*) filter (where completed_on >= to_timestamp($2 / 1000.0)
                                 and completed_on < to_timestamp($3 / 1000.0))::int as in_window,
              count(*) filter (where completed_on >= to_timestamp($2 / 1000.0)
                                 and completed_on < to_timestamp($4 / 1000.0))::int as in_run
         from ${schema}.job where name = $1 group by state`,
      [QUEUE, from, to, end],
    );
    const byState = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    const completedInWindow = rows.reduce((a, r) => a + r.in_window, 0);
    const completedInRun = rows.reduce((a, r) => a + r.in_run, 0);
    return { byState, completedInWindow, completedInRun };
  } catch (error) {
    return { error: error.message };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * PIDs of the PostgreSQL backends serving this run: the store's pool (by its application_name)
 * and pg-boss's own pool (its application_name is fixed, so found by the jobs schema in its
 * last query).
 */
async function backendPids(applicationName, jobsSchema) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await client.connect();
    const { rows } = await client.query(
      `select pid from pg_stat_activity
        where application_name = $1 or (application_name = 'chat-server jobs' and position($2 in query) > 0)`,
      [applicationName, `${jobsSchema}.`],
    );
    return rows.map((r) => r.pid);
  } catch {
    return [];
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * What this run's PostgreSQL backends are busy with, sampled every 250 ms from pg_stat_activity,
 * during the load and after it: per statement (its first words, with what it waits on), the
 * average number of backends running it (or idle inside a transaction), to see where the
 * database's time goes.
 */
function startActivitySampler(applicationName, jobsSchema) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  const phases = { load: { samples: 0, counts: new Map() }, after: { samples: 0, counts: new Map() } };
  let current = phases.load;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query(
        `select state, query, wait_event_type, wait_event from pg_stat_activity
          where state in ('active', 'idle in transaction') and pid <> pg_backend_pid()
            and (application_name = $1 or (application_name = 'chat-server jobs' and position($2 in query) > 0))`,
        [applicationName, `${jobsSchema}.`],
      );
      const phase = current;
      phase.samples++;
      for (const { state, query, wait_event_type: type, wait_event: event } of rows) {
        const how =
          state === 'active'
            ? type
              ? ` (waiting: ${type}/${event})`
              : ''
            : ' (idle in transaction, after it)';
        const key = `${query.replace(/\s+/g, ' ').trim().slice(0, 90)}${how}`;
        phase.counts.set(key, (phase.counts.get(key) ?? 0) + 1);
      }
      await sleep(250);
    }
  })().catch(() => {});
  return {
    /** From now on, samples count as after the load. */
    after() {
      current = phases.after;
    },
    async stop() {
      stopped = true;
      await loop;
      await client.end().catch(() => {});
      const share = (phase, key) => (phase.counts.get(key) ?? 0) / Math.max(1, phase.samples);
      const keys = new Set([...phases.load.counts.keys(), ...phases.after.counts.keys()]);
      const top = [...keys]
        .map((query) => ({ query, load: share(phases.load, query), after: share(phases.after, query) }))
        .sort((a, b) => Math.max(b.load, b.after) - Math.max(a.load, a.after))
        .slice(0, 12);
      return { samples: { load: phases.load.samples, after: phases.after.samples }, top };
    },
  };
}

const cpuOf = (pids) => new Map([...pids].map((pid) => [pid, procStat(pid).cpuMs]).filter(([, v]) => v >= 0));
function cpuDelta(before, after) {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/** The endpoint's delivery log: how many deliveries ended failed, and how many wait for a retry. */
async function deliveryLog(rest, webhookId) {
  const errors = new Map();
  const count = async (state, pages) => {
    let n = 0;
    let before;
    for (let page = 0; page < pages; page++) {
      const query = `state=${state}&limit=100${before ? `&before=${before}` : ''}`;
      const { deliveries } = await rest.call('GET', `/v1/webhooks/${webhookId}/deliveries?${query}`);
      n += deliveries.length;
      for (const d of deliveries) {
        const error = d.last_error ?? (d.last_status ? `status ${d.last_status}` : null);
        if (error) errors.set(error, (errors.get(error) ?? 0) + 1);
      }
      if (deliveries.length < 100) return { n, more: false };
      before = deliveries[deliveries.length - 1].id;
    }
    return { n, more: true };
  };
  try {
    const [failed, retrying] = await Promise.all([count('failed', 20), count('retrying', 20)]);
    return { failed, retrying, errors: [...errors.entries()].sort((a, b) => b[1] - a[1]) };
  } catch (error) {
    return { error: error.message };
  }
}

async function run(def) {
  const stack = [];
  const result = { def };
  try {
    const env = { ...def.env, CHAT_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' };
    let ns = null;
    if (def.services) {
      ns = runNamespace(`wh_${def.id}`);
      Object.assign(env, ns.env);
      stack.push(() => ns.cleanup());
    }
    const credentials = newCredentials();
    Object.assign(env, appEnv(credentials));

    const receiver = await startWebhookReceiver();
    stack.push(() => receiver.close());
    const server = await startTarget('chat', { env, name: `webhooks-${def.id}` });
    stack.push(() => server.stop());

    const setupStart = Date.now();
    const rest = await restClient(server.url, credentials);
    // Senders of channel c: s<c>_<k>; each channel also has a member who only reads.
    const sendersOf = (c) => Array.from({ length: SENDERS }, (_, k) => `s${c}_${k}`);
    const senders = Array.from({ length: CHANNELS }, (_, c) => sendersOf(c)).flat();
    const readers = Array.from({ length: CHANNELS }, (_, c) => `r${c}`);
    await rest.upsertUsers([...senders, ...readers]);
    const cids = await mapLimit(
      Array.from({ length: CHANNELS }, (_, c) => c),
      8,
      (c) => rest.createChannel('messaging', `wh-${c}`, [...sendersOf(c), readers[c]]),
    );
    const created = await rest.call('POST', '/v1/webhooks', {
      name: 'bench',
      url: `${receiver.url}/hook`,
      events: ['message.new'],
    });
    const webhookId = created.webhook.id;
    receiver.setSecret(created.secret);
    const tokens = await userTokens(credentials.apiSecret, senders);
    result.setupS = (Date.now() - setupStart) / 1000;

    // The senders connect without watching (nothing is fanned out over WebSocket: the server's
    // work is the send path and the webhooks); RATE / CHANNELS msgs/s go to each channel.
    const target = { kind: 'chat', host: '127.0.0.1', port: server.port, apiKey: credentials.apiKey };
    // Interleaved by channel, so the load generator's round robin over its clients goes round the
    // channels.
    const specs = Array.from({ length: SENDERS }, (_, k) =>
      Array.from({ length: CHANNELS }, (_, c) => {
        const i = c * SENDERS + k;
        return { userId: senders[i], token: tokens[i], cids: [cids[c]] };
      }),
    ).flat();
    const loadgen = await startLoadGen(WORKERS);
    stack.push(() => loadgen.stop());
    const shares = loadgen.split(specs);
    await loadgen.all('init', (i) => ({ target, specs: shares[i], watchOnConnect: false }));
    const connected = await loadgen.all('connect', { concurrency: 50, timeoutMs: 60_000 });
    result.ready = connected.reduce((a, c) => a + c.ready, 0);
    if (result.ready < specs.length)
      throw new Error(
        `${specs.length - result.ready} senders not connected: ${connected.flatMap((c) => c.errors)[0]}`,
      );
    await quiesce([server], { maxMs: 30_000 });

    const pgPids = new Set();
    const jobsSchema = ns ? `${ns.schema}_jobs` : null;
    if (ns) for (const pid of await backendPids(ns.applicationName, jobsSchema)) pgPids.add(pid);
    const pgBefore = cpuOf(pgPids);

    await loadgen.all('reset');
    const sampler = ns ? startActivitySampler(ns.applicationName, jobsSchema) : null;
    receiver.reset();
    const t0 = nowMs();
    const before = { cpu: server.stat().cpuMs, host: hostCpu() };
    await loadgen.all('send', (i) => ({
      rate: RATE / loadgen.workers.length,
      durationMs: windowMs,
      size: 100,
      firstN: i * 1e7,
    }));
    const sendEnd = nowMs();
    const atSendEnd = { cpu: server.stat().cpuMs, host: hostCpu() };
    sampler?.after();
    if (PROFILE) await server.profile('start');
    if (ns) for (const pid of await backendPids(ns.applicationName, jobsSchema)) pgPids.add(pid);

    // Drain: until every acknowledged message has been delivered, or DRAIN_MS after the last send.
    let stats = await loadgen.all('stats');
    const ackedInWindow = stats.reduce((a, s) => a + s.acked, 0);
    let lastLog = nowMs();
    let okSent = ackedInWindow;
    // When the last acknowledgement came: the server may answer sends later than they were made.
    let ackedAt = sendEnd;
    // Once every send is answered, the server's work is the webhooks' alone.
    let settledAt = null;
    while (nowMs() - sendEnd < DRAIN_MS) {
      stats = await loadgen.all('stats');
      const sent = stats.reduce((a, s) => a + s.sent, 0);
      const acked = stats.reduce((a, s) => a + s.acked, 0);
      if (acked !== okSent) ackedAt = nowMs();
      okSent = acked;
      const settled = stats.reduce((a, s) => a + s.acked + s.errors, 0) >= sent;
      const got = receiver.stats().unique;
      if (settled && !settledAt) settledAt = { t: nowMs(), cpu: server.stat().cpuMs, delivered: got };
      if (settled && got >= okSent) break;
      if (nowMs() - lastLog > 10_000) {
        lastLog = nowMs();
        log(
          `  ${def.label}: ${fmt(got)} of ${fmt(okSent)} delivered, ${fmt((nowMs() - sendEnd) / 1000)} s after the load`,
        );
      }
      await sleep(50);
    }
    const drainEnd = nowMs();
    const after = { cpu: server.stat().cpuMs, host: hostCpu() };
    const activity = sampler ? await sampler.stop() : null;
    if (PROFILE) {
      const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      const file = `${dir}webhooks-${def.id}-${CHANNELS}x${RATE}-drain.cpuprofile`;
      if ((await server.profile('stop', file))?.ok) result.profile = { file, ...summarizeProfile(file) };
    }
    if (ns) for (const pid of await backendPids(ns.applicationName, jobsSchema)) pgPids.add(pid);
    const pgAfter = cpuOf(pgPids);

    const collected = await loadgen.all('collect', {});
    const sent = collected.reduce((a, c) => a + c.sent, 0);
    okSent = collected.reduce((a, c) => a + c.acked, 0);
    const got = receiver.stats();
    const delivered = got.unique;
    const drained = delivered >= okSent;
    const inWindow = got.arrivals.filter((t) => t >= t0 && t < sendEnd).length;
    const lastArrival = got.arrivals.length
      ? got.arrivals.reduce((a, t) => Math.max(a, t), Number.NEGATIVE_INFINITY)
      : Number.NaN;
    const cpuMs = after.cpu - before.cpu;
    // Webhooks alone: from the moment every send was answered to the end of the drain.
    const alone = settledAt && drainEnd - settledAt.t > 1_000 ? settledAt : null;
    const deliveredAlone = alone ? delivered - alone.delivered : 0;
    const drainRate = alone ? deliveredAlone / ((drainEnd - alone.t) / 1000) : Number.NaN;
    Object.assign(result, {
      sent,
      okSent,
      sendErrors: collected.reduce((a, c) => a + c.errors, 0),
      errorCodes: collected.reduce((acc, c) => {
        for (const [code, n] of Object.entries(c.errorCodes)) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {}),
      sendRate: (sent * 1000) / windowMs,
      ackedInWindow,
      ackRate: (okSent * 1000) / (ackedAt - t0),
      acksLateS: (ackedAt - sendEnd) / 1000,
      activity,
      delivered,
      requests: got.requests,
      duplicates: got.duplicates,
      badSignatures: got.badSignatures,
      unexpected: got.unexpected,
      missing: Math.max(0, okSent - delivered),
      drained,
      deliveredPerSWindow: (inWindow * 1000) / windowMs,
      deliveredPerSOverall: delivered / ((Math.max(lastArrival || 0, sendEnd) - t0) / 1000),
      drainRate,
      drainMs: drained ? Math.max(0, lastArrival - sendEnd) : drainEnd - sendEnd,
      // Not drained: the backlog at the drain rate of the last DRAIN_MS.
      projectedDrainS:
        drained || !(drainRate > 0) ? null : (okSent - delivered) / drainRate + (drainEnd - sendEnd) / 1000,
      // Over every acknowledged message: one never delivered counts as an infinite lag.
      lag: summarize([
        ...got.lagMs,
        ...Array(Math.max(0, okSent - delivered)).fill(Number.POSITIVE_INFINITY),
      ]),
      deliveredLag: summarize([...got.lagMs]),
      commitLag: summarize(got.commitLagMs),
      cpuPerDeliveryUs: delivered ? (cpuMs * 1000) / delivered : Number.NaN,
      // Once every send was answered: the server's CPU is the webhooks' alone (and its timers).
      drainCpuPerDeliveryUs: deliveredAlone ? ((after.cpu - alone.cpu) * 1000) / deliveredAlone : Number.NaN,
      serverUtilWindow: (atSendEnd.cpu - before.cpu) / windowMs,
      serverUtilDrain: (after.cpu - atSendEnd.cpu) / (drainEnd - sendEnd),
      hostBusyWindow: hostBusy(before.host, atSendEnd.host),
      hostBusyDrain: hostBusy(atSendEnd.host, after.host),
      pgCpuPerDeliveryUs: ns && delivered ? (cpuDelta(pgBefore, pgAfter) * 1000) / delivered : null,
      rss: server.stat().rss,
      genUtil: Math.max(...collected.map((c) => c.cpuMs / c.wallMs)),
      receiver: receiver.load(),
      jobs: jobsSchema ? await jobFigures(jobsSchema, t0, sendEnd, drainEnd) : null,
      elapsedS: (drainEnd - t0) / 1000,
      log: await deliveryLog(rest, webhookId),
    });
    result.met = result.missing === 0 && result.lag.p99 < GOAL_P99_MS;
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
  log(`webhooks: ${fmt(RATE)} msgs/s into ${fmt(CHANNELS)} channels for ${windowMs / 1000} s → ${def.label}`);
  const r = await run(def);
  if (r.error) log(`  failed: ${r.error}`);
  else
    log(
      `  ${fmt(r.delivered)} of ${fmt(r.okSent)} delivered; lag p50 ${fmt(r.lag.p50, 1)} ms, p99 ${fmt(r.lag.p99, 1)} ms; drain ${fmt(r.drainMs / 1000, 1)} s${r.drained ? '' : ' (not drained)'}`,
    );
  results.push(r);
}

const pct = (v) => (Number.isFinite(v) ? `${fmt(v * 100, v > 0 && v < 0.01 ? 2 : 0)}%` : '–');
const where = (r) => (r.def.id === 'chat-pg' ? 'PostgreSQL+Redis' : 'PGlite');
const rate = (v) => fmt(v, v < 10 ? 1 : 0);
const ms = (v) => (v === Number.POSITIVE_INFINITY ? 'never' : fmt(v, 1));
const drainCell = (r) =>
  r.drained
    ? fmt(r.drainMs / 1000, 1)
    : `> ${fmt(r.drainMs / 1000)} (not drained${r.projectedDrainS === null ? '' : `; ~${fmt(r.projectedDrainS)} s at the drain rate`})`;
const jobsCell = (r) => {
  if (!r.jobs) return `≈ deliveries/s (${rate(r.deliveredPerSWindow)} / ${rate(r.deliveredPerSOverall)})`;
  if (r.jobs.error) return `– (${r.jobs.error.slice(0, 80)})`;
  return `${rate((r.jobs.completedInWindow * 1000) / windowMs)} / ${rate(r.jobs.completedInRun / r.elapsedS)}`;
};
const jobStates = (r) =>
  r.jobs?.byState
    ? Object.entries(r.jobs.byState)
        .map(([state, n]) => `${state} ${fmt(n)}`)
        .join(', ')
    : '–';
const logCell = (r) =>
  r.log?.error
    ? `– (${r.log.error.slice(0, 80)})`
    : `${fmt(r.log.failed.n)}${r.log.failed.more ? '+' : ''} failed, ${fmt(r.log.retrying.n)}${r.log.retrying.more ? '+' : ''} retrying${
        r.log.errors.length
          ? ` (last errors: ${r.log.errors
              .slice(0, 3)
              .map(([error, n]) => `${n}× ${error.slice(0, 100).replaceAll('|', '/')}`)
              .join('; ')})`
          : ''
      }`;
const flags = (r) => {
  const out = [];
  if (r.sendRate < RATE * 0.95) out.push(`send rate ${pct(r.sendRate / RATE)} of the asked`);
  if (r.ackRate < RATE * 0.95) out.push(`sends acknowledged at ${pct(r.ackRate / RATE)} of the rate`);
  if (r.genUtil > 0.9) out.push('generator saturated');
  if (r.serverUtilWindow > 0.95) out.push('server saturated');
  if (r.hostBusyWindow > 0.95) out.push('host CPU full');
  if (!r.drained) out.push('backlog not drained');
  if (r.receiver.eldP99Ms > 100) out.push(`receiver event loop lagged (p99 ${fmt(r.receiver.eldP99Ms)} ms)`);
  return out.join(', ') || 'ok';
};

const ok = results.filter((r) => !r.error);
const summary = [];
for (const r of ok) {
  const onPg = r.def.id === 'chat-pg';
  summary.push({
    figure: `Webhook deliveries/s (${fmt(RATE)} msgs/s into ${fmt(CHANNELS)} channels, ${where(r)})`,
    ours: `${rate(r.deliveredPerSWindow)}/s in the window, ${rate(r.deliveredPerSOverall)}/s overall (sent ${fmt(r.sendRate)}/s, acknowledged ${fmt(r.ackRate)}/s)`,
    peer: 'none (no peer has webhooks)',
    target: onPg ? 'keeps up: all delivered' : undefined,
    met: onPg ? r.missing === 0 : undefined,
  });
  summary.push({
    figure: `Webhook end-to-end lag p99, send → receiver (${where(r)})`,
    ours: r.missing
      ? `never: ${fmt(r.missing)} of ${fmt(r.okSent)} not delivered ${fmt(DRAIN_MS / 1000)} s after the load (p99 of the delivered ${ms(r.deliveredLag.p99)} ms)`
      : `${ms(r.lag.p99)} ms (p50 ${ms(r.lag.p50)} ms)`,
    peer: 'none (no peer has webhooks)',
    target: onPg ? `< ${fmt(GOAL_P99_MS)} ms, all delivered` : undefined,
    met: onPg ? r.met : undefined,
  });
}

writeReport({
  scenario: 'webhooks',
  title: `Webhooks: ${fmt(RATE)} msgs/s into ${fmt(CHANNELS)} channels, one endpoint on loopback`,
  notes: [
    `${fmt(CHANNELS)} channels of ${SENDERS + 1} members: ${SENDERS} sender${SENDERS === 1 ? '' : 's'}, each its own user and socket (this server serves a socket's frames one after another), and one who only reads. The senders are connected over WebSocket without watching (no WebSocket fan-out: the server's work is the send path and the webhooks); the load generator (${WORKERS} process${WORKERS === 1 ? '' : 'es'}) sends ${fmt(RATE)} msgs/s in all, round robin over the channels (${fmt(RATE / CHANNELS, 1)} msgs/s per channel, ${fmt(RATE / CHANNELS / SENDERS, 1)} per sender: within the default per-user budgets), for ${windowMs / 1000} s. Then the drain: until every acknowledged message has reached the receiver, at most ${fmt(DRAIN_MS / 1000)} s. Acknowledged/s: acknowledged sends over the time from the start of the load to the last acknowledgement (the server may answer sends later than they are made).`,
    'One endpoint subscribed to `message.new` (created over REST; `CHAT_WEBHOOK_ALLOW_CIDRS=127.0.0.1/32` lets it point at loopback). The receiver is a `node:http` server in the scenario process (the load generator runs in its own processes): it answers 204, verifies each Standard Webhooks signature, and records per delivery its arrival time, the webhook-id (duplicates: the same id twice) and the message number.',
    "Lag send → receiver: the sender writes its wall-clock time into the message text; its percentiles are over every acknowledged message, one never delivered counting as `never` (the details table gives the lag of those delivered); commit → receiver uses the message's `created_at` (millisecond precision). Missing: acknowledged messages never delivered by the end of the drain. Drain: from the end of the load to the last delivery. Jobs/s: pg-boss jobs completed in the window, and from the start of the load to the end of the drain (read from its table on PostgreSQL; each delivery is one job, so on PGlite, whose database is inside the server, it is ≈ deliveries/s).",
    "Server CPU per delivery: the server process's CPU time (from /proc) from the start of the load to the end of the drain over the deliveries; it includes the send path (the messages themselves), and if the backlog did not drain, the sends of messages still queued. Webhooks alone: from the moment every send had been answered to the end of the drain, the server's CPU over the deliveries in that time (its timers included); the drain rate is over the same time. DB CPU: the PostgreSQL backends of the store and of pg-boss's pool.",
    `No peer: none of the peers (bare ws, Socket.IO) has webhooks. The goal is absolute: keep up with the rate (every message delivered) at p99 lag < ${fmt(GOAL_P99_MS)} ms on PostgreSQL.`,
    ...(revision ? [`Server built from ${revision}.`] : []),
    ...skipped,
  ],
  tables: [
    {
      columns: [
        'Target',
        'Sent (msgs/s)',
        'Acknowledged/s (last ack after the load)',
        'Delivered',
        'Deliveries/s window / overall',
        'Jobs/s window / overall',
        'Lag p50 / p95 / p99 / max ms',
        'Commit → receiver p50 / p99 ms',
        'Duplicates / missing',
        'Drain s',
        'Server CPU µs/delivery (all / webhooks alone)',
        'DB CPU µs/delivery',
        'Server CPU window / drain',
        'Server RSS MB',
        'Host busy window / drain',
        'Goal',
        'Flags',
      ],
      rows: results.map((r) =>
        r.error
          ? [r.def.label, `failed: ${r.error.split('\n')[0].slice(0, 160)}`, ...Array(15).fill('–')]
          : [
              r.def.label,
              `${fmt(r.sent)} (${fmt(r.sendRate)}/s)${r.sendErrors ? `, ${r.sendErrors} errors: ${JSON.stringify(r.errorCodes)}` : ''}`,
              `${fmt(r.ackRate)} (${fmt(Math.max(0, r.acksLateS), 1)} s)`,
              `${fmt(r.delivered)} of ${fmt(r.okSent)}`,
              `${rate(r.deliveredPerSWindow)} / ${rate(r.deliveredPerSOverall)}`,
              jobsCell(r),
              `${ms(r.lag.p50)} / ${ms(r.lag.p95)} / ${ms(r.lag.p99)} / ${ms(r.lag.max)}`,
              `${ms(r.commitLag.p50)} / ${ms(r.commitLag.p99)}`,
              `${fmt(r.duplicates)} / ${fmt(r.missing)}`,
              drainCell(r),
              `${fmt(r.cpuPerDeliveryUs)} / ${fmt(r.drainCpuPerDeliveryUs)}`,
              r.pgCpuPerDeliveryUs === null ? '–' : fmt(r.pgCpuPerDeliveryUs),
              `${pct(r.serverUtilWindow)} / ${pct(r.serverUtilDrain)}`,
              mb(r.rss),
              `${pct(r.hostBusyWindow)} / ${pct(r.hostBusyDrain)}`,
              r.def.id === 'chat-pg' ? (r.met ? 'met' : '**not met**') : '–',
              flags(r),
            ],
      ),
    },
    {
      title: 'Delivery details',
      columns: [
        'Target',
        'Requests received',
        'Bad signatures',
        'Other events',
        'Lag of the delivered p50 / p99 / max ms',
        'Drain rate (deliveries/s, webhooks alone)',
        'Delivery log',
        'pg-boss jobs by state (at the end)',
        'Receiver event loop p99 / max ms',
        'Receiver CPU',
      ],
      rows: ok.map((r) => [
        r.def.label,
        fmt(r.requests),
        fmt(r.badSignatures),
        fmt(r.unexpected),
        `${ms(r.deliveredLag.p50)} / ${ms(r.deliveredLag.p99)} / ${ms(r.deliveredLag.max)}`,
        fmt(r.drainRate, 1),
        logCell(r),
        jobStates(r),
        `${fmt(r.receiver.eldP99Ms, 1)} / ${fmt(r.receiver.eldMaxMs, 1)}`,
        pct(r.receiver.cpuUtil),
      ]),
    },
    ...ok
      .filter((r) => r.activity?.top.length)
      .map((r) => ({
        title: `What ${r.def.label}'s PostgreSQL backends were doing (pg_stat_activity every 250 ms: ${fmt(r.activity.samples.load)} samples during the load, ${fmt(r.activity.samples.after)} after it)`,
        columns: ['Statement (start)', 'Backends on it, during the load', 'After the load'],
        rows: r.activity.top.map((t) => [
          `\`${t.query.replaceAll('|', '/').replaceAll('`', "'")}\``,
          fmt(t.load, 2),
          fmt(t.after, 2),
        ]),
      })),
    ...ok
      .filter((r) => r.profile)
      .map((r) => ({
        ...profileTable({ ...r, label: r.def.label, members: CHANNELS, rate: RATE }),
        title: `Where ${r.def.label}'s CPU went after the load (${fmt(CHANNELS)} channels, ${fmt(RATE)} msgs/s; CPU profile of the drain, self time)`,
      })),
  ],
  summary,
});
