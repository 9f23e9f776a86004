// Scenario 5c — push fan-out: a channel of 10,000 members, all offline, each with one device;
// one message → 10,000 pushes to a fake push service on loopback (FCM HTTP v1 over TLS; Web Push
// as a second variant). Time from the send's ack until the fake has the last push, pushes/s,
// duplicates and missing; and the send ack latency of another sender in a small channel, without
// push and while the fan-out runs (push is off the send path: its p99 should not move). This
// server on PGlite and on PostgreSQL + Redis; no peer has push, so the goal is absolute:
// ≥ 5,000 pushes/s on PostgreSQL, send ack p99 unaffected.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from '../lib/chat-app.mjs';
import { unwind } from '../lib/cleanup.mjs';
import { nowMs } from '../lib/clients.mjs';
import { quiesce, TARGETS } from '../lib/fanout-run.mjs';
import { hostBusy, hostCpu, procStat } from '../lib/proc.mjs';
import { summarizeProfile } from '../lib/profile.mjs';
import { startPushFake } from '../lib/push-fake.mjs';
import { startPushServer } from '../lib/push-target.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, profileTable, QUICK } from '../lib/scenario.mjs';
import { DATABASE_URL, runNamespace, servicesAvailable } from '../lib/services.mjs';
import { fmt, mapLimit, mb, sleep, summarize } from '../lib/stats.mjs';

/** Members of the big channel, each with one device of each variant: one message → this many pushes. */
const MEMBERS = envNumber('BENCH_PUSH_MEMBERS', QUICK ? 500 : 10_000);
/** Messages into the big channel per variant, one after another (each waits for the last). */
const ROUNDS = envNumber('BENCH_PUSH_ROUNDS', QUICK ? 1 : 3);
/** The same for Web Push (an encryption and a VAPID signature per push: slower). */
const WEB_ROUNDS = envNumber('BENCH_PUSH_WEB_ROUNDS', 1);
/** Sends per second of the ack probe, round robin over its small channels (one sender each). */
const PROBE_RATE = envNumber('BENCH_PUSH_PROBE_RATE', 50);
/**
 * The probe's channels: a channel's sends queue on its row, so one hot channel measures that
 * queue; spread out, the probe measures the server and the database.
 */
const PROBE_CHANNELS = envNumber('BENCH_PUSH_PROBE_CHANNELS', 10);
/** The ack probe's baseline, with push off. */
const BASELINE_S = envNumber('BENCH_PUSH_BASELINE_S', QUICK ? 3 : 15);
/** A round ends when every push arrived, or this long after the ack. */
const ROUND_LIMIT_S = envNumber('BENCH_PUSH_ROUND_LIMIT_S', QUICK ? 60 : 240);
/** …or when nothing arrived for this long (a job retry waits 5 s, then 10 s, …). */
const STALL_S = envNumber('BENCH_PUSH_STALL_S', 40);
/** After the last push, how long the job may take to end (it records every send). */
const JOB_LIMIT_S = envNumber('BENCH_PUSH_JOB_LIMIT_S', QUICK ? 60 : 180);
const VARIANTS = (process.env.BENCH_PUSH_VARIANTS ?? 'fcm,web')
  .split(',')
  .map((s) => s.trim())
  .filter((v) => v === 'fcm' || v === 'web');
/** ANALYZE the run's schema after setup (PostgreSQL; `0`: leave the statistics as they are). */
const ANALYZE = process.env.BENCH_PUSH_ANALYZE !== '0';
const GOAL_RATE = 5_000;
const VARIANT_LABEL = { fcm: 'FCM', web: 'Web Push' };
/** "Unaffected": the send ack p99 while pushes go out at most this many times the baseline's. */
const GOAL_ACK_RATIO = 1.5;
const PROFILE = process.env.BENCH_PROFILE === '1';
const QUEUE = 'push-message';
const BIG = 'push-10k';
const probeChannel = (k) => `push-probe-${k}`;
deadline(
  'push',
  envNumber(
    'BENCH_PUSH_LIMIT_S',
    // A hang guard: setup, the baseline and every round at a generous pace per target, plus one
    // round that runs into its limits.
    (process.env.BENCH_PUSH_TARGETS ?? 'chat-pglite,chat-pg,chat-pg-split').split(',').length *
      ((QUICK ? 120 : 400) + BASELINE_S + (ROUNDS + WEB_ROUNDS) * 150) +
      ROUND_LIMIT_S +
      JOB_LIMIT_S,
  ),
);

const require = createRequire(import.meta.resolve('@chat/server'));
/**
 * Which server code ran: the built package is what runs, so its build time, the commit that was
 * HEAD then, and whether the server's sources changed in commits after the build (the build is
 * then older than the code: rebuild) or have uncommitted changes now.
 */
function serverRevision() {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  let built;
  try {
    const dist = fileURLToPath(new URL('.', import.meta.resolve('@chat/server')));
    built = new Date(
      Math.max(
        ...readdirSync(dist)
          .filter((f) => f.endsWith('.js'))
          .map((f) => statSync(`${dist}${f}`).mtimeMs),
      ),
    );
  } catch {
    return null;
  }
  const at = built.toISOString();
  const then = git('log', '-1', '--format=%h', `--before=${at}`).stdout.trim();
  if (!then) return null;
  const later = git('log', '--format=%h', `--since=${at}`, '--', 'mock-server/src').stdout.trim();
  const changed = git('status', '--porcelain', '--', 'mock-server/src').stdout.trim();
  const files = changed ? changed.split('\n').length : 0;
  return `the build of ${at.slice(0, 16).replace('T', ' ')} UTC (HEAD then: ${then})${later ? `; commits since then changed mock-server/src (${later.split('\n').join(', ')}): this build predates them` : ''}${files ? `; ${files} uncommitted change${files === 1 ? '' : 's'} under mock-server/src now` : ''}`;
}
const revision = serverRevision();
const services = await servicesAvailable();
const skipped = [];
const SPLIT = {
  id: 'chat-pg-split',
  kind: 'chat',
  label: 'this server, PostgreSQL + Redis, api + worker processes',
  services: true,
  split: true,
};
const targets = [TARGETS['chat-pglite'], TARGETS['chat-pg'], SPLIT]
  .filter(
    (def) => !process.env.BENCH_PUSH_TARGETS || process.env.BENCH_PUSH_TARGETS.split(',').includes(def.id),
  )
  .filter((def) => {
    if (!def.services || services.ok) return true;
    skipped.push(`${def.label}: skipped, ${services.reason}`);
    return false;
  });

/** A PostgreSQL client for looking at what the server wrote (its schema and its job queue's). */
async function pgClient() {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  return client;
}

/** PIDs of this run's PostgreSQL backends: the store's pools and pg-boss's. */
async function backendPids(db, applicationName, jobsSchema) {
  const { rows } = await db.query(
    `select pid from pg_stat_activity
      where application_name = $1 or (application_name = 'chat-server jobs' and position($2 in query) > 0)`,
    [applicationName, `${jobsSchema}.`],
  );
  return rows.map((r) => r.pid);
}

const cpuOf = (pids) => new Map([...pids].map((pid) => [pid, procStat(pid).cpuMs]).filter(([, v]) => v >= 0));
function cpuDelta(before, after) {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/**
 * What this run's PostgreSQL backends do, sampled every 200 ms from pg_stat_activity while
 * `on`: per statement (its first words, with its wait), the average number of backends on it.
 */
function startActivitySampler(applicationName, jobsSchema) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  let samples = 0;
  const counts = new Map();
  let on = false;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      if (on) {
        const { rows } = await client.query(
          `select state, query, wait_event_type, wait_event from pg_stat_activity
            where state in ('active', 'idle in transaction') and pid <> pg_backend_pid()
              and (application_name = $1 or (application_name = 'chat-server jobs' and position($2 in query) > 0))`,
          [applicationName, `${jobsSchema}.`],
        );
        samples++;
        for (const { state, query, wait_event_type: type, wait_event: event } of rows) {
          const how =
            state === 'active' ? (type ? ` (waiting: ${type}/${event})` : '') : ' (idle in transaction)';
          const key = `${query.replace(/\s+/g, ' ').trim().slice(0, 100)}${how}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      await sleep(200);
    }
  })().catch(() => {});
  return {
    set on(value) {
      on = value;
    },
    async stop() {
      stopped = true;
      await loop;
      await client.end().catch(() => {});
      const top = [...counts.entries()]
        .map(([query, n]) => ({ query, share: n / Math.max(1, samples) }))
        .sort((a, b) => b.share - a.share)
        .slice(0, 10);
      return { samples, top };
    },
  };
}

/**
 * The ack probe: `PROBE_RATE` sends per second over REST, round robin over the senders (each into
 * its own small channel), on a fixed schedule (a slow answer does not delay the next send); each send's time from
 * the request to its answer. `stop()` → `{ latencies, errors, sent }`.
 */
function startProbe(url, apiKey, senders) {
  const latencies = [];
  const inflight = new Set();
  let errors = 0;
  let lastError = null;
  let sent = 0;
  let stopped = false;
  const started = nowMs();
  const loop = (async () => {
    for (let k = 0; !stopped; k++) {
      const due = started + (k * 1000) / PROBE_RATE;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      const sender = senders[k % senders.length];
      sent++;
      const t0 = nowMs();
      const request = fetch(`${url}/v1/channels/messaging/${sender.cid}/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': apiKey,
          authorization: `Bearer ${sender.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ client_msg_id: randomUUID(), text: `probe ${k}` }),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.ok) latencies.push(nowMs() - t0);
          else {
            errors++;
            lastError = `status ${res.status}`;
          }
        })
        .catch((error) => {
          errors++;
          lastError = error.message;
        })
        .finally(() => inflight.delete(request));
      inflight.add(request);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inflight);
      return { latencies, errors, lastError, sent, seconds: (nowMs() - started) / 1000 };
    },
  };
}

/** Arrivals (sorted ms) → the time from the 10th to the 90th percentile arrival, as a rate. */
function steadyRate(arrivals) {
  if (arrivals.length < 20) return Number.NaN;
  const sorted = [...arrivals].sort((a, b) => a - b);
  const a = sorted[Math.floor(sorted.length * 0.1)];
  const b = sorted[Math.floor(sorted.length * 0.9)];
  return b > a
    ? ((Math.floor(sorted.length * 0.9) - Math.floor(sorted.length * 0.1)) * 1000) / (b - a)
    : Number.NaN;
}

/**
 * The server's event-loop stalls (≥ 50 ms) of a window: count, longest, total; with a round's
 * times, split into before the first push (the job's setup), while pushes went out, and after the
 * last (the job recording its sends).
 */
function stallFigures(list, { tAck, first, last }) {
  const sum = (xs) => xs.reduce((a, x) => a + x.ms, 0);
  const out = {
    count: list.length,
    maxMs: list.reduce((a, x) => Math.max(a, x.ms), 0),
    totalMs: sum(list),
  };
  if (tAck !== undefined && first) {
    const setup = list.filter((x) => x.at < first);
    const pushing = list.filter((x) => x.at >= first && x.at <= last);
    const after = list.filter((x) => x.at > last);
    out.phases = {
      setup: { count: setup.length, totalMs: sum(setup), maxMs: Math.max(0, ...setup.map((x) => x.ms)) },
      pushing: {
        count: pushing.length,
        totalMs: sum(pushing),
        maxMs: Math.max(0, ...pushing.map((x) => x.ms)),
      },
      after: { count: after.length, totalMs: sum(after), maxMs: Math.max(0, ...after.map((x) => x.ms)) },
    };
    out.longest = [...list]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((x) => ({ atS: (x.at - tAck) / 1000, ms: x.ms }));
  }
  return out;
}

const stallText = (st) => {
  if (!st.phases) return `${fmt(st.count)} (${fmt(st.totalMs)} ms), longest ${fmt(st.maxMs)} ms`;
  const p = (x) => `${fmt(x.count)} (${fmt(x.totalMs)})`;
  return `${p(st.phases.setup)} / ${p(st.phases.pushing)} / ${p(st.phases.after)}; ${st.longest.map((l) => `${fmt(l.atS, 2)}: ${fmt(l.ms)}`).join(', ') || '–'}`;
};

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

async function run(def) {
  const stack = [];
  const result = { def, variants: [] };
  try {
    const fake = await startPushFake({ devices: MEMBERS });
    stack.push(() => fake.close());
    const env = {
      ...def.env,
      // The push services' guard is the webhooks': loopback is refused unless allowed.
      CHAT_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      // Push credentials are sealed at rest with it (needed on PostgreSQL).
      CHAT_SECRET_KEY: randomBytes(32).toString('base64url'),
      // The fake's certificate: the server's push config takes extra CAs only in code
      // (`push.ca`), Node takes them from here for every TLS connection of the process.
      NODE_EXTRA_CA_CERTS: fake.caFile,
    };
    let ns = null;
    if (def.services) {
      ns = runNamespace(`push_${def.id}`);
      Object.assign(env, ns.env);
      stack.push(() => ns.cleanup());
    }
    const credentials = newCredentials();
    Object.assign(env, appEnv(credentials));
    // `server` answers REST (the probe, the sends); `worker` works the push jobs: the same
    // process in role `all`, two processes when split (roles `api` and `worker`).
    const server = await startPushServer({
      env: { ...env, ...(def.split && { CHAT_ROLE: 'api' }) },
      name: `push-${def.id}${def.split ? '-api' : ''}`,
    });
    stack.push(() => server.stop());
    const worker = def.split
      ? await startPushServer({ env: { ...env, CHAT_ROLE: 'worker' }, name: `push-${def.id}-worker` })
      : server;
    if (def.split) stack.push(() => worker.stop());
    const nodes = def.split ? [server, worker] : [server];
    const cpuAll = () => nodes.reduce((a, n) => a + n.stat().cpuMs, 0);
    // pg-boss's tables, beside the store's (on PGlite in the same embedded database).
    const jobsSchema = `${ns ? ns.schema : (server.info.schema ?? 'chat')}_jobs`;
    let db = null;
    if (ns) {
      db = await pgClient();
      stack.push(() => db.end());
    }

    // Setup: MEMBERS users in one channel, each with a device per variant; the probe channel;
    // a sender of the big channel's messages who is not a member (a server-side send as them),
    // so all MEMBERS members are pushed.
    const rest = await restClient(server.url, credentials);
    const members = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
    const probeSenders = Array.from({ length: PROBE_CHANNELS }, (_, k) => `p${k}`);
    const probeReaders = Array.from({ length: PROBE_CHANNELS }, (_, k) => `r${k}`);
    let t = Date.now();
    await rest.upsertUsers([...members, 'announcer', ...probeSenders, ...probeReaders]);
    result.usersS = (Date.now() - t) / 1000;
    t = Date.now();
    await rest.createChannel('messaging', BIG, members, 4);
    await mapLimit(probeSenders, 4, (id, k) =>
      rest.createChannel('messaging', probeChannel(k), [id, probeReaders[k]]),
    );
    result.channelS = (Date.now() - t) / 1000;
    const tokens = await userTokens(credentials.apiSecret, members);
    const probeTokens = await userTokens(credentials.apiSecret, probeSenders);
    t = Date.now();
    await mapLimit(members, 16, async (_id, i) => {
      if (VARIANTS.includes('fcm'))
        await rest.call('POST', '/v1/devices', { provider: 'fcm', token: fake.fcmToken(i) }, tokens[i]);
      if (VARIANTS.includes('web'))
        await rest.call(
          'POST',
          '/v1/devices',
          { provider: 'web', subscription: fake.webSubscription(i) },
          tokens[i],
        );
    });
    result.devicesS = (Date.now() - t) / 1000;
    result.setupS = result.usersS + result.channelS + result.devicesS;
    log(
      `  ${def.label}: ${fmt(MEMBERS)} users ${fmt(result.usersS, 1)} s, channel ${fmt(result.channelS, 1)} s, devices ${fmt(result.devicesS, 1)} s`,
    );
    if (ANALYZE) {
      // Statistics on the tables just filled, as autovacuum would make them on a PostgreSQL
      // server (this machine's runs with autovacuum off; PGlite runs none): without them the
      // planner takes the tables for empty, and a small channel's recipients query reads every
      // device of the app (see the README).
      t = Date.now();
      result.analyzed = await server.analyze();
      result.analyzeS = (Date.now() - t) / 1000;
    }
    // The feeds work through the setup's events (members added, …) before anything is measured.
    result.settleS = (await quiesce(nodes, { maxMs: 120_000 })) / 1000;
    const probeSpec = probeSenders.map((id, k) => ({ id, token: probeTokens[k], cid: probeChannel(k) }));

    // Baseline: the ack probe with push off (no provider: the feed queues no push job).
    log(`  ${def.label}: ack baseline, push off, ${BASELINE_S} s at ${PROBE_RATE}/s`);
    await server.stalls();
    const probe0 = startProbe(server.url, credentials.apiKey, probeSpec);
    const b0 = { cpu: cpuAll(), host: hostCpu(), t: nowMs() };
    await sleep(BASELINE_S * 1000);
    const baseline = await probe0.stop();
    result.baseline = {
      ...baseline,
      stalls: stallFigures(await server.stalls(), {}),
      ack: summarize([...baseline.latencies]),
      serverUtil: (cpuAll() - b0.cpu) / (nowMs() - b0.t),
      hostBusy: hostBusy(b0.host, hostCpu()),
    };

    const sampler = ns ? startActivitySampler(ns.applicationName, jobsSchema) : null;
    if (sampler) stack.push(() => sampler.stop());
    for (const variant of VARIANTS) {
      if (result.stopped) {
        result.notRun = [...(result.notRun ?? []), variant];
        continue;
      }
      const v = { variant, rounds: [] };
      result.variants.push(v);
      // One provider on at a time: each user's other device is not pushed.
      if (variant === 'fcm') {
        await rest.call('DELETE', '/v1/push/web').catch(() => {});
        await rest.call('PUT', '/v1/push/fcm', {
          service_account: fake.serviceAccount(),
          base_url: fake.url,
        });
      } else {
        await rest.call('DELETE', '/v1/push/fcm').catch(() => {});
        await rest.call('PUT', '/v1/push/web', { subject: 'mailto:bench@example.com' });
      }
      const rounds = variant === 'web' ? WEB_ROUNDS : ROUNDS;
      for (let round = 1; round <= rounds; round++) {
        await quiesce(nodes, { maxMs: 20_000 });
        await fake.totals(); // resets the fake's event-loop figures
        await server.stalls(); // and the server's list of event-loop stalls
        const webKey = `web-${round}`;
        if (variant === 'web') await fake.round(webKey);
        const pgPids = new Set(db ? await backendPids(db, ns.applicationName, jobsSchema) : []);
        const pgBefore = cpuOf(pgPids);
        const probe = startProbe(server.url, credentials.apiKey, probeSpec);
        await sleep(500); // the probe's first sends before the message
        if (sampler) sampler.on = true;
        const profiling = PROFILE && round === 1 && (await worker.profile('start'))?.ok;
        const before = { cpu: cpuAll(), api: server.stat().cpuMs, fake: fake.stat().cpuMs, host: hostCpu() };
        const tSend = nowMs();
        const { message } = await rest.call('POST', `/v1/channels/messaging/${BIG}/messages`, {
          client_msg_id: randomUUID(),
          text: `Push fan-out round ${round}: everyone gets this`,
          user_id: 'announcer',
        });
        const tAck = nowMs();
        const key = variant === 'fcm' ? message.id : webKey;
        // Until every push arrived, or none came for STALL_S, or ROUND_LIMIT_S after the ack.
        let progress = { n: 0, unique: 0, last: 0 };
        let lastLog = nowMs();
        while (nowMs() - tAck < ROUND_LIMIT_S * 1000) {
          progress = await fake.progress(key);
          if (progress.unique >= MEMBERS) break;
          const quietSince = progress.last || tAck;
          if (nowMs() - quietSince > STALL_S * 1000) break;
          if (nowMs() - lastLog > 10_000) {
            lastLog = nowMs();
            log(`    ${variant} round ${round}: ${fmt(progress.unique)} of ${fmt(MEMBERS)} pushes`);
          }
          await sleep(50);
        }
        const atLast = {
          cpu: cpuAll(),
          api: server.stat().cpuMs,
          fake: fake.stat().cpuMs,
          host: hostCpu(),
          t: nowMs(),
        };
        // The job goes on after the last push (it records each send): the probe runs until it is
        // done (its row in pg-boss on PostgreSQL; the server idle on PGlite).
        let job = null;
        const jobQuery = `select state::text as state, retry_count, created_on, started_on, completed_on
                            from ${jobsSchema}.job where name = $1 and data->>'messageId' = $2`;
        const limit = nowMs() + JOB_LIMIT_S * 1000;
        while (nowMs() < limit) {
          // PostgreSQL: from outside; PGlite lives in the server, so through it (a cheap query).
          const rows = db
            ? (await db.query(jobQuery, [QUEUE, message.id])).rows
            : await server.query(jobQuery, [QUEUE, message.id]).catch(() => []);
          job = rows[0] ?? null;
          if (job && ['completed', 'failed', 'cancelled'].includes(job.state)) break;
          await sleep(db ? 100 : 250);
        }
        const jobEnded = job && ['completed', 'failed', 'cancelled'].includes(job.state);
        const tDone = nowMs();
        if (sampler) sampler.on = false;
        const after = { cpu: cpuAll(), fake: fake.stat().cpuMs, host: hostCpu() };
        const probed = await probe.stop();
        for (const pid of db ? await backendPids(db, ns.applicationName, jobsSchema) : []) pgPids.add(pid);
        const pgAfter = cpuOf(pgPids);
        if (profiling) {
          const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
          mkdirSync(dir, { recursive: true });
          const file = `${dir}push-${def.id}-${variant}-${MEMBERS}.cpuprofile`;
          if ((await worker.profile('stop', file))?.ok) v.profile = { file, ...summarizeProfile(file) };
        }
        const got = await fake.report(key);
        const stalls = await server.stalls();
        const fakeTotals = await fake.totals();
        const pushWindowMs = got.last ? got.last - tAck : Number.NaN;
        const r = {
          round,
          ackMs: tAck - tSend,
          delivered: got.unique,
          requests: got.n,
          duplicates: got.duplicates,
          unknown: got.unknown,
          missing: MEMBERS - got.unique,
          firstMs: got.first ? got.first - tAck : Number.NaN,
          lastMs: pushWindowMs,
          rate: got.unique / (pushWindowMs / 1000),
          steadyRate: steadyRate(got.arrivals),
          // The job's end after the last push (PostgreSQL: pg-boss's completed_on).
          job: job && {
            state: job.state,
            retries: job.retry_count,
            queuedToStartMs: new Date(job.started_on) - new Date(job.created_on),
            doneAfterAckMs: job.completed_on ? new Date(job.completed_on).getTime() - tAck : Number.NaN,
          },
          doneAfterAckMs: tDone - tAck,
          jobEnded,
          stalls: stallFigures(stalls, { tAck, first: got.first, last: got.last }),
          probe: probed,
          serverUtilPush: (atLast.cpu - before.cpu) / (atLast.t - tSend),
          apiUtilPush: (atLast.api - before.api) / (atLast.t - tSend),
          serverUtilAll: (after.cpu - before.cpu) / (tDone - tSend),
          serverCpuPerPushUs: got.unique ? ((after.cpu - before.cpu) * 1000) / got.unique : Number.NaN,
          fakeUtil: (atLast.fake - before.fake) / (atLast.t - tSend),
          fakeCpuPerPushUs: got.unique ? ((after.fake - before.fake) * 1000) / got.unique : Number.NaN,
          pgCpuPerPushUs: db && got.unique ? (cpuDelta(pgBefore, pgAfter) * 1000) / got.unique : null,
          hostBusy: hostBusy(before.host, atLast.host),
          fakeTotals,
        };
        v.rounds.push(r);
        log(
          `    ${variant} round ${round}: ${fmt(r.delivered)} of ${fmt(MEMBERS)} in ${fmt(r.lastMs / 1000, 2)} s after the ack → ${fmt(r.rate)} pushes/s (steady ${fmt(r.steadyRate)}/s); first after ${fmt(r.firstMs)} ms; job ${jobEnded ? `done ${fmt(r.doneAfterAckMs / 1000, 1)} s after the ack` : `not done ${fmt(r.doneAfterAckMs / 1000, 1)} s after the ack (${job?.state ?? 'no row'})`}; duplicates ${r.duplicates}, missing ${r.missing}; server ${fmt(r.serverUtilPush * 100)}% of a core, fake ${fmt(r.fakeUtil * 100)}%; host ${fmt(r.hostBusy * 100)}% busy; TLS handshakes so far ${fmt(fakeTotals.tlsHandshakes)}; ${stallText(r.stalls)}`,
        );
        // A job still running would overlap the next round: this target stops here.
        if (!jobEnded || r.missing > 0) {
          result.stopped = `${VARIANT_LABEL[variant]} round ${round} ${r.missing > 0 ? `ended with ${fmt(r.missing)} pushes missing` : ''}${r.missing > 0 && !jobEnded ? ' and ' : ''}${jobEnded ? '' : `its job not done ${fmt(JOB_LIMIT_S)} s after the last push`}: no further rounds on this server`;
          log(`  ${result.stopped}`);
          break;
        }
      }
      // Every round's probe samples together: the send ack while pushes went out.
      const all = v.rounds.flatMap((r) => r.probe.latencies);
      v.ack = summarize([...all]);
      v.probeErrors = v.rounds.reduce((a, r) => a + r.probe.errors, 0);
      v.probeLastError = v.rounds.map((r) => r.probe.lastError).find(Boolean) ?? null;
      const mid = [...v.rounds].sort((a, b) => (a.rate || 0) - (b.rate || 0))[
        Math.floor(v.rounds.length / 2)
      ];
      v.median = {
        rate: median(v.rounds.map((r) => r.rate)),
        lastMs: median(v.rounds.map((r) => r.lastMs)),
        firstMs: median(v.rounds.map((r) => r.firstMs)),
        steadyRate: median(v.rounds.map((r) => r.steadyRate)),
        doneAfterAckMs: median(v.rounds.map((r) => r.doneAfterAckMs)),
        ackMs: median(v.rounds.map((r) => r.ackMs)),
      };
      v.mid = mid;
      v.duplicates = v.rounds.reduce((a, r) => a + r.duplicates, 0);
      v.missing = v.rounds.reduce((a, r) => a + r.missing, 0);
      v.ackRatio = v.ack.p99 / result.baseline.ack.p99;
    }
    result.activity = sampler ? await sampler.stop() : null;
    const sendsQuery = `select state, count(*)::int as n from ${ns ? `${ns.schema}.` : ''}push_sends group by state order by state`;
    result.pushSends = db
      ? (await db.query(sendsQuery)).rows
      : await server.query(sendsQuery).catch(() => null);
    result.rss = nodes.reduce((a, n) => a + n.stat().rss, 0);
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
  log(
    `push: ${fmt(MEMBERS)} offline members, ${ROUNDS} message(s) per variant (${VARIANTS.join(', ')}) → ${def.label}`,
  );
  const r = await run(def);
  if (r.error) log(`  failed: ${r.error}`);
  results.push(r);
}

const pct = (v) => (Number.isFinite(v) ? `${fmt(v * 100, v > 0 && v < 0.01 ? 2 : 0)}%` : '–');
const where = (r) =>
  r.def.id === 'chat-pg' ? 'PostgreSQL+Redis' : r.def.split ? 'PostgreSQL+Redis, api + worker' : 'PGlite';
const ms1 = (v) => fmt(v, 1);
const s2 = (v) => fmt(v / 1000, 2);
const onPg = (r) => r.def.services;
const rateMet = (v) => v.missing === 0 && v.median.rate >= GOAL_RATE;
const ackMet = (v) => v.ackRatio <= GOAL_ACK_RATIO;

const ok = results.filter((r) => !r.error);
const summary = [];
for (const r of ok) {
  for (const v of r.variants) {
    const goal = onPg(r) && v.variant === 'fcm';
    summary.push({
      figure: `Push fan-out, ${VARIANT_LABEL[v.variant]}: ${fmt(MEMBERS)} offline members, one message (${where(r)})`,
      ours: `${fmt(v.median.rate)} pushes/s, last push ${s2(v.median.lastMs)} s after the ack (median of ${v.rounds.length}); ${fmt(v.duplicates)} duplicates, ${fmt(v.missing)} missing`,
      peer: 'none (no peer has push)',
      target: goal ? `≥ ${fmt(GOAL_RATE)} pushes/s` : undefined,
      met: goal ? rateMet(v) : undefined,
    });
    summary.push({
      figure: `Send ack p99 while ${VARIANT_LABEL[v.variant]} pushes go out ÷ without push (${where(r)})`,
      ours: `${ms1(v.ack.p99)} ms vs ${ms1(r.baseline.ack.p99)} ms (${fmt(v.ackRatio, 2)}×)`,
      peer: 'none (no peer has push)',
      target: goal ? `≤ ${GOAL_ACK_RATIO}×` : undefined,
      met: goal ? ackMet(v) : undefined,
    });
  }
}

const roundsCell = (v) => v.rounds.map((x) => fmt(x.rate)).join(' / ');
const jobCell = (x) =>
  x.job
    ? `${x.job.state}${x.job.retries ? ` (${x.job.retries} retries)` : ''}, done ${s2(x.job.doneAfterAckMs)} s`
    : `server idle ${s2(x.doneAfterAckMs)} s`;

writeReport({
  scenario: 'push',
  title: `Push fan-out: ${fmt(MEMBERS)} offline members, one message → ${fmt(MEMBERS)} pushes to a fake push service`,
  notes: [
    `One channel of ${fmt(MEMBERS)} members, none connected (so all offline), each with one FCM device (token \`bench-fcm-<i>\`) and one Web Push subscription (its own P-256 keys), registered over REST (\`POST /v1/devices\`, each user's token); one provider is on at a time, so one message is ${fmt(MEMBERS)} pushes. The message is a server-side send (\`user_id\` a user who is not a member, so all ${fmt(MEMBERS)} members are pushed). FCM: ${ROUNDS} message${ROUNDS === 1 ? '' : 's'}, Web Push: ${WEB_ROUNDS}, one after another, each once the previous push job had ended; the table gives the median (and each round's rate). A round that misses pushes, or whose job does not end, stops that server's run.`,
    'Fake push services in a process of their own, over TLS (HTTP/2 and HTTP/1.1: the server sends FCM over HTTP/2, Web Push over HTTP/1.1) on 127.0.0.1 with a certificate made at run time with openssl (P-256), trusted by the server through `NODE_EXTRA_CA_CERTS` (its push config takes extra CAs only in code); `CHAT_WEBHOOK_ALLOW_CIDRS=127.0.0.1/32` lets the address guard reach them, `CHAT_SECRET_KEY` seals the credentials. FCM: the token endpoint checks the service account’s RS256 grant, `messages:send` takes only its access tokens and records the device token and `data.message_id`. Web Push: the VAPID authorization and an aes128gcm body must be there (not decrypted); pushes are counted per round. Duplicates: a device reached twice for one message; missing: devices never reached when the round ended (all arrived, or nothing for ' +
      `${STALL_S} s, or ${ROUND_LIMIT_S} s after the ack).`,
    'Pushes/s: the pushes over the time from the send’s ack to the last push’s arrival at the fake; steady: from the 10th to the 90th percentile arrival. First push: ack → first arrival (the event feed, the job queue, the recipients query, the first chunk’s pending rows and badges). Job done: when pg-boss marked the push job completed (read from its table; on PGlite through the server process): the job records each device’s outcome after all the pushes, so it ends after the last push.',
    `Send ack: users’ REST sends (\`POST /v1/channels/{type}/{id}/messages\`, user token) from the scenario process, ${fmt(PROBE_RATE)}/s round robin over ${PROBE_CHANNELS} channels of 2 members (one sender each: a channel’s sends queue on its row, so one hot channel would measure that queue), on a fixed schedule: first ${BASELINE_S} s with push off (no provider: no push job), then from 0.5 s before each big message until its job ended (these messages are pushed too; their members have no device). Goal: the p99 with pushes going out at most ${GOAL_ACK_RATIO}× the one without. Event-loop stalls: times the process answering REST ran a 10 ms timer ≥ 50 ms late (a request arriving then waits as long), split by the push job’s phases; on a busy host some are the process waiting for a core.`,
    `Before the measurements the scenario runs ANALYZE on the store's tables${ANALYZE ? '' : ' (not in this run: BENCH_PUSH_ANALYZE=0)'}: this machine's PostgreSQL has autovacuum off and PGlite runs none, and without statistics the recipients query of every small channel's message reads all the app's devices (see the README).`,
    'CPU: the server processes (from /proc) from the send to the last push ("push window"), and per push to the job’s end. DB CPU: the PostgreSQL backends of the store and of pg-boss. The fake’s CPU shows it is not the limit. Rows: PGlite and PostgreSQL + Redis in the default role (`all`: REST API, WebSocket and worker in one process), and PostgreSQL + Redis split into an `api` process (REST: the sends) and a `worker` process (the push jobs), the layout for keeping pushes off the send path.',
    `No peer: neither the bare ws server nor Socket.IO has push. The goal is absolute: ≥ ${fmt(GOAL_RATE)} pushes/s (FCM) on PostgreSQL with none missing, and the send ack p99 unaffected (≤ ${GOAL_ACK_RATIO}× push off).`,
    ...(revision
      ? [
          `Server: ${revision}${process.env.BENCH_PUSH_SERVER_MODULE ? `; this run used another build: ${process.env.BENCH_PUSH_SERVER_MODULE}` : ''}.`,
        ]
      : []),
    ...skipped,
  ],
  tables: [
    {
      columns: [
        'Target',
        'Variant',
        'Pushes/s (median; each round)',
        'Steady pushes/s',
        'Ack → first / last push s',
        'Job done after ack s',
        'Duplicates / missing',
        'Ack of the big message ms',
        'Send ack p50 / p99 ms, push off',
        'Send ack p50 / p99 ms, pushes going out',
        'p99 ratio',
        'Server CPU (push window)',
        'Server CPU µs/push',
        'DB CPU µs/push',
        'Fake CPU',
        'Host busy',
        'Goal',
      ],
      rows: results.flatMap((r) =>
        r.error
          ? [[r.def.label, `failed: ${r.error.split('\n')[0].slice(0, 160)}`, ...Array(15).fill('–')]]
          : r.variants.map((v) => [
              r.def.label,
              VARIANT_LABEL[v.variant],
              `${fmt(v.median.rate)} (${roundsCell(v)})`,
              fmt(v.median.steadyRate),
              `${s2(v.median.firstMs)} / ${s2(v.median.lastMs)}`,
              s2(v.median.doneAfterAckMs),
              `${fmt(v.duplicates)} / ${fmt(v.missing)}`,
              ms1(v.median.ackMs),
              `${ms1(r.baseline.ack.p50)} / ${ms1(r.baseline.ack.p99)}`,
              `${ms1(v.ack.p50)} / ${ms1(v.ack.p99)}${v.probeErrors ? ` (${v.probeErrors} errors: ${v.probeLastError})` : ''}`,
              `${fmt(v.ackRatio, 2)}×`,
              pct(v.mid.serverUtilPush),
              fmt(v.mid.serverCpuPerPushUs),
              v.mid.pgCpuPerPushUs === null ? '–' : fmt(v.mid.pgCpuPerPushUs),
              pct(v.mid.fakeUtil),
              pct(v.mid.hostBusy),
              onPg(r) && v.variant === 'fcm'
                ? `${rateMet(v) ? 'met' : '**not met**'} (rate); ${ackMet(v) ? 'met' : '**not met**'} (ack)`
                : '–',
            ]),
      ),
    },
    {
      title: 'Rounds',
      columns: [
        'Target',
        'Variant',
        'Round',
        'Pushes received (unique)',
        'Pushes/s',
        'First / last push s',
        'The job',
        'Send ack p50 / p99 / max ms (samples)',
        'Server CPU push window / to the job’s end',
        'Event loop of the process answering REST stalled ≥ 50 ms: job setup / pushing / recording (times, total ms); longest (s after the ack: ms)',
        'Fake: requests / TLS handshakes (cumulative), event loop p99 ms',
      ],
      rows: ok.flatMap((r) =>
        r.variants.flatMap((v) =>
          v.rounds.map((x) => {
            const a = summarize([...x.probe.latencies]);
            return [
              r.def.label,
              VARIANT_LABEL[v.variant],
              x.round,
              `${fmt(x.requests)} (${fmt(x.delivered)})`,
              fmt(x.rate),
              `${s2(x.firstMs)} / ${s2(x.lastMs)}`,
              jobCell(x),
              `${ms1(a.p50)} / ${ms1(a.p99)} / ${ms1(a.max)} (${fmt(a.count)})`,
              `${pct(x.serverUtilPush)} / ${pct(x.serverUtilAll)}${r.def.split ? ` (api process ${pct(x.apiUtilPush)} in the push window)` : ''}`,
              stallText(x.stalls),
              `${fmt(x.fakeTotals.requests)} / ${fmt(x.fakeTotals.tlsHandshakes)}, ${fmt(x.fakeTotals.eldP99Ms, 1)}`,
            ];
          }),
        ),
      ),
      note: `Setup: ${ok
        .map(
          (r) =>
            `${r.def.label}: ${fmt(MEMBERS)} users ${fmt(r.usersS, 1)} s, members ${fmt(r.channelS, 1)} s, devices ${fmt(r.devicesS, 1)} s (one \`POST /v1/devices\` per device, user tokens, 16 at once)${r.analyzed ? `, ANALYZE ${fmt(r.analyzeS, 1)} s` : ', no ANALYZE'}, then ${fmt(r.settleS, 1)} s until the server was idle${r.settleS >= 119 ? ' (it was not: 120 s at most)' : ''}; during the baseline (push off, host ${pct(r.baseline.hostBusy)} busy, server ${pct(r.baseline.serverUtil)} of a core) the event loop of the process answering REST stalled ≥ 50 ms ${stallText(r.baseline.stalls)}${r.stopped ? `; ${r.stopped}` : ''}${r.pushSends ? `; push_sends at the end: ${r.pushSends.map((s) => `${s.state} ${fmt(s.n)}`).join(', ')}` : ''}; server RSS at the end ${mb(r.rss)} MB`,
        )
        .join('. ')}.`,
    },
    ...ok
      .filter((r) => r.activity?.top.length)
      .map((r) => ({
        title: `What ${r.def.label}'s PostgreSQL backends were doing during the rounds (pg_stat_activity every 200 ms, ${fmt(r.activity.samples)} samples)`,
        columns: ['Statement (start)', 'Backends on it (average)'],
        rows: r.activity.top.map((t) => [
          `\`${t.query.replaceAll('|', '/').replaceAll('`', "'")}\``,
          fmt(t.share, 2),
        ]),
      })),
    ...ok.flatMap((r) =>
      r.variants
        .filter((v) => v.profile)
        .map((v) => ({
          ...profileTable({ ...v, label: r.def.label, members: MEMBERS, rate: 1 }),
          title: `Where ${r.def.label}'s CPU went, ${VARIANT_LABEL[v.variant]} round 1 (CPU profile from the send to the job's end, self time)`,
        })),
    ),
  ],
  summary,
});
