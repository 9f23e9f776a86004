// One fan-out measurement, the same for every target: N members of one channel (room) connected,
// one of them sending at a fixed rate for a fixed window; every member (the sender too) receives
// every message. Shared by the fan-out and multi-node scenarios.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appEnv, newCredentials, restClient, userTokens } from './chat-app.mjs';
import { unwind } from './cleanup.mjs';
import { BenchClient, benchText, nowMs } from './clients.mjs';
import { startLoadGen } from './loadgen.mjs';
import { hostBusy, hostCpu, procStat, startTarget } from './proc.mjs';
import { summarizeProfile } from './profile.mjs';
import { redisPid, runNamespace } from './services.mjs';
import { sleep, summarize } from './stats.mjs';

/**
 * The chat server's per-user budgets are meant for people, not for one bench user sending 20
 * messages a second for minutes: raised for the fan-out runs (and said so in the results).
 */
export const SENDER_LIMITS_ENV = {
  CHAT_WS_WRITES_PER_WINDOW: '1000000',
  CHAT_WS_FRAMES_PER_WINDOW: '1000000',
};

export const TARGETS = {
  bare: { id: 'bare', kind: 'bare', label: 'bare ws broadcast' },
  sio: { id: 'sio', kind: 'sio', label: 'socket.io room' },
  'sio-redis': { id: 'sio-redis', kind: 'sio', label: 'socket.io + Redis adapter', services: true },
  'chat-pglite': {
    id: 'chat-pglite',
    kind: 'chat',
    label: 'this server, PGlite',
    // Embedded: a DATABASE_URL or REDIS_URL in the bench's own environment must not reach it.
    env: { CHAT_DATA_DIR: 'memory', DATABASE_URL: '', REDIS_URL: '' },
  },
  'chat-pg': { id: 'chat-pg', kind: 'chat', label: 'this server, PostgreSQL + Redis', services: true },
};

/** Waits until every server's CPU use over 500 ms is below `threshold` of a core (max `maxMs`). */
export async function quiesce(servers, { threshold = 0.05, maxMs = 60_000 } = {}) {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const before = servers.map((s) => s.stat().cpuMs);
    await sleep(500);
    const busy = servers.map((s, i) => (s.stat().cpuMs - before[i]) / 500);
    if (busy.every((b) => b < threshold)) break;
  }
  return Date.now() - started;
}

function sumStat(pids) {
  let cpuMs = 0;
  for (const pid of pids) {
    const { cpuMs: ms } = procStat(pid);
    if (Number.isFinite(ms)) cpuMs += ms;
  }
  return cpuMs;
}

function mergeCounts(list) {
  const out = {};
  for (const counts of list) for (const [k, v] of Object.entries(counts ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** CPU time per pid, to diff PostgreSQL backends that come and go during a window. */
function cpuByPid(pids) {
  const map = new Map();
  for (const pid of pids) {
    const { cpuMs } = procStat(pid);
    if (Number.isFinite(cpuMs)) map.set(pid, cpuMs);
  }
  return map;
}

/** CPU used between two `cpuByPid` readings; a backend that started meanwhile counts in full. */
function cpuDelta(before, after) {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Runs one target at one size. Returns the figures (see the fan-out table) or `{ error }`.
 * `nodes` > 1 spreads the receivers over that many server processes (the sender is on node 0).
 */
export async function runFanout(
  def,
  { members, rate, windowMs, nodes = 1, textSize = 100, profile = false, log = () => {} },
) {
  const stack = [];
  const result = { id: def.id, label: def.label, members, rate, nodes, notes: [] };
  const phase = (name) => log(`  ${def.label} N=${members} ${rate}/s: ${name}`);
  try {
    const env = { ...def.env };
    let ns = null;
    if (def.services) {
      ns = runNamespace(`fan_${def.id}`);
      Object.assign(env, ns.env);
      stack.push(() => ns.cleanup());
    }
    const credentials = def.kind === 'chat' ? newCredentials() : null;
    if (credentials) Object.assign(env, appEnv(credentials), SENDER_LIMITS_ENV);

    phase('starting server');
    const servers = [];
    for (let i = 0; i < nodes; i++) {
      const server = await startTarget(def.kind, { env, name: `${def.id}-${members}-node${i}` });
      servers.push(server);
      stack.push(() => server.stop());
    }

    const ids = Array.from({ length: members }, (_, i) => `u${i}`);
    const chat = def.kind === 'chat';
    const cid = chat ? 'messaging:bench' : undefined;
    let tokens = [];
    let rest;
    let setupMs = 0;
    if (chat) {
      phase('creating users');
      const t0 = Date.now();
      rest = await restClient(servers[0].url, credentials);
      await rest.upsertUsers(ids);
      tokens = await userTokens(credentials.apiSecret, ids);
      setupMs += Date.now() - t0;
    }

    const target = { kind: def.kind, host: '127.0.0.1', port: servers[0].port, apiKey: credentials?.apiKey };
    const specFor = (i) => ({
      userId: ids[i],
      token: tokens[i],
      ...(cid && { cids: [cid] }),
      port: servers[i % nodes].port,
    });
    const receivers = Array.from({ length: members - 1 }, (_, i) => specFor(i + 1));
    const expectedTotal = (rate * windowMs * members) / 1000;
    const sampleEvery = Math.max(1, Math.round(expectedTotal / 100_000));

    const loadgen = await startLoadGen();
    stack.push(() => loadgen.stop());
    const shares = loadgen.split(receivers);
    // This server's clients connect before the channel exists and watch it once it does: a user
    // who connects while sharing a channel with N others costs the server O(N) (presence goes
    // to every co-member), so connecting N members of one channel one by one costs O(N²). The
    // connections scenario measures that; here it would only make setup take minutes.
    await loadgen.all('init', (i) => ({ target, specs: shares[i], sampleEvery, watchOnConnect: !chat }));

    phase(`connecting ${receivers.length} clients`);
    const connectStart = Date.now();
    const connected = await loadgen.all('connect', { concurrency: chat ? 50 : 200, timeoutMs: 300_000 });
    result.connectS = (Date.now() - connectStart) / 1000;
    result.ready = connected.reduce((a, c) => a + c.ready, 0);
    const failures = connected.flatMap((c) => c.errors);

    // The sender: one more member, on node 0, in this process.
    const sender = { echo: 0, acked: 0, errors: 0, codes: {} };
    let senderReady;
    const senderClient = await new Promise((resolve, reject) => {
      const client = new BenchClient(
        target,
        specFor(0),
        0,
        {
          ready: () => (senderReady ? senderReady() : resolve(client)),
          failed: (_c, error) => reject(error),
          delivery: () => sender.echo++,
          ack: () => sender.acked++,
          error: (_c, buf) => {
            sender.errors++;
            const code = JSON.parse(buf.toString()).error?.code;
            sender.codes[code] = (sender.codes[code] ?? 0) + 1;
          },
        },
        { watchOnConnect: !chat },
      );
      client.connect();
    });
    stack.push(() => senderClient.destroy());

    if (chat) {
      phase('creating the channel and watching it');
      const t0 = Date.now();
      await rest.createChannel('messaging', 'bench', ids);
      setupMs += Date.now() - t0;
      const watchStart = Date.now();
      const watched = new Promise((resolve) => {
        senderReady = resolve;
      });
      senderClient.watch();
      const results = await loadgen.all('watch', { concurrency: 100, timeoutMs: 300_000 });
      await watched;
      result.watchS = (Date.now() - watchStart) / 1000;
      result.ready = results.reduce((a, c) => a + c.ready, 0);
      failures.push(...results.flatMap((c) => c.errors));
    }
    result.setupS = setupMs / 1000;
    if (result.ready < receivers.length) {
      result.notes.push(
        `${receivers.length - result.ready} of ${receivers.length} clients failed: ${failures[0]}`,
      );
    }

    phase('settling');
    result.settleS = (await quiesce(servers)) / 1000;

    const pgPids = ns && def.kind === 'chat' ? await ns.backendPids() : [];
    const redis = def.services ? await redisPid() : null;
    // Sockets the server closed while the others were set up do not count as receivers.
    const atStart = await loadgen.all('stats');
    result.readyAtStart = atStart.reduce((a, s) => a + s.ready, 0);
    result.closedBefore = mergeCounts(atStart.map((s) => s.allCloses));
    await loadgen.all('reset');
    if (profile) await servers[0].profile('start');
    const selfBefore = process.cpuUsage();
    const before = {
      t: nowMs(),
      servers: servers.map((s) => s.stat().cpuMs),
      host: hostCpu(),
      pg: cpuByPid(pgPids),
      redis: redis ? sumStat([redis]) : 0,
    };

    phase(`sending for ${windowMs / 1000} s`);
    let sent = 0;
    const total = Math.floor((rate * windowMs) / 1000);
    await new Promise((resolve) => {
      const start = nowMs();
      const interval = setInterval(() => {
        const due = Math.min(total, Math.floor(((nowMs() - start) * rate) / 1000));
        while (sent < due) {
          senderClient.sendBench(benchText(sent, textSize), sent, cid);
          sent++;
        }
        if (sent >= total) {
          clearInterval(interval);
          resolve();
        }
      }, 2);
    });
    const sendEnd = nowMs();

    // Drain: wait for what is still in flight. This server answers every send with an ack once
    // it is stored and published, so first wait for the acks (a server that fell behind may take
    // a while: up to 60 s), then for the deliveries to stop coming.
    let received = 0;
    let lastProgress = Date.now();
    let lastAcks = -1;
    const drainStart = Date.now();
    while (Date.now() - drainStart < 60_000) {
      const stats = await loadgen.all('stats');
      const now = stats.reduce((a, s) => a + s.recv, 0);
      const answered = sender.acked + sender.errors;
      if (now !== received || answered !== lastAcks) lastProgress = Date.now();
      received = now;
      lastAcks = answered;
      const ok = def.kind === 'chat' ? sender.acked : sent;
      const settled = def.kind !== 'chat' || answered >= sent;
      if (settled && received >= ok * (members - 1)) break;
      // Sends still unanswered: the server is busy (PGlite blocks the event loop while it runs a
      // query), not done; keep waiting until the cap.
      if (settled && Date.now() - lastProgress > 5_000) break;
      await sleep(100);
    }
    result.unanswered = def.kind === 'chat' ? sent - sender.acked - sender.errors : 0;
    const after = {
      t: nowMs(),
      servers: servers.map((s) => s.stat().cpuMs),
      host: hostCpu(),
      pg: cpuByPid(ns && def.kind === 'chat' ? await ns.backendPids() : []),
      redis: redis ? sumStat([redis]) : 0,
    };
    const self = process.cpuUsage(selfBefore);
    if (profile) {
      const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      const file = `${dir}${def.id}-${members}x${rate}-${nodes}node.cpuprofile`;
      const reply = await servers[0].profile('stop', file);
      if (reply?.ok) result.profile = { file, ...summarizeProfile(file) };
    }

    const okSent = def.kind === 'chat' ? sender.acked : sent;
    const collected = await loadgen.all('collect', { expected: okSent });
    result.recvRange = collected.map((c) => [c.min, c.max, c.short]);
    const recv = collected.reduce((a, c) => a + c.recv, 0);
    const deliveries = recv + sender.echo;
    const expected = okSent * members;
    const wallMs = after.t - before.t;
    const serverCpuMs = after.servers.reduce((a, v, i) => a + v - before.servers[i], 0);
    const latency = summarize(collected.flatMap((c) => c.samples));
    const genUtil = Math.max(...collected.map((c) => c.cpuMs / c.wallMs));
    const eldP99 = Math.max(...collected.map((c) => c.eldP99Ms));

    Object.assign(result, {
      sent,
      okSent,
      sendErrors: sender.errors,
      sendErrorCodes: sender.codes,
      achievedRate: (sent * 1000) / (sendEnd - before.t),
      deliveries,
      expected,
      loss: expected > 0 ? Math.max(0, expected - deliveries) / expected : 0,
      lossyClients: collected.reduce((a, c) => a + c.short, 0) + (sender.echo < okSent ? 1 : 0),
      deliveredPerS: (deliveries * 1000) / wallMs,
      drainMs: after.t - sendEnd,
      serverCpuMs,
      serverUtil: serverCpuMs / wallMs / nodes,
      cpuPerDeliveryUs: deliveries > 0 ? (serverCpuMs * 1000) / deliveries : Number.NaN,
      pgCpuPerDeliveryUs:
        pgPids.length && deliveries ? (cpuDelta(before.pg, after.pg) * 1000) / deliveries : null,
      redisCpuMs: redis ? after.redis - before.redis : null,
      rss: servers.reduce((a, s) => a + s.stat().rss, 0),
      peakRss: servers.reduce((a, s) => a + s.peakRss(), 0),
      latency,
      genUtil,
      eldP99,
      senderUtil: (self.user + self.system) / 1000 / wallMs,
      hostBusy: hostBusy(before.host, after.host),
      closes: collected.reduce((acc, c) => {
        for (const [code, n] of Object.entries(c.closes)) acc[code] = (acc[code] ?? 0) + n;
        return acc;
      }, {}),
    });
    result.generatorSaturated = genUtil > 0.9 || eldP99 > 100;
    result.serverSaturated = result.serverUtil > 0.95;
    if (result.sendErrors) result.notes.push(`send errors: ${JSON.stringify(sender.codes)}`);
    if (result.readyAtStart < receivers.length)
      result.notes.push(
        `only ${result.readyAtStart} of ${receivers.length} clients were still connected when the window started; the server had closed the others (close codes: ${JSON.stringify(result.closedBefore)})`,
      );
    const closes = Object.entries(result.closes).filter(([code]) => code !== '1006');
    if (closes.length)
      result.notes.push(`sockets closed during the window: ${JSON.stringify(result.closes)}`);
    return result;
  } catch (error) {
    result.error = error?.message ?? String(error);
    return result;
  } finally {
    await unwind(stack);
  }
}
