// Scenario 3 (c), the reconnect storm: every client of a node dropped by its restart while
// messages keep flowing from another node; time until all are back and resumed (`since`), and
// whether anything was lost.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchClient, benchText, nowMs } from './clients.mjs';
import { prepare, withStack } from './connections-setup.mjs';
import { quiesce, SENDER_LIMITS_ENV, TARGETS } from './fanout-run.mjs';
import { startLoadGen } from './loadgen.mjs';
import { freePort, startTarget } from './proc.mjs';
import { summarizeProfile } from './profile.mjs';
import { envNumber, log, QUICK } from './scenario.mjs';
import { fmt, mapLimit, ratio, sleep } from './stats.mjs';

// Users in the storm: one sender on node B and STORM − 1 clients on node A, in channels of GROUP.
const STORM = envNumber('BENCH_STORM_USERS', QUICK ? 201 : 10_001);
const GROUP = envNumber('BENCH_STORM_CHANNEL_SIZE', QUICK ? 21 : 101);
const STORM_RATE = envNumber('BENCH_STORM_RATE', QUICK ? 20 : 50);
const STORM_LIMIT_MS = envNumber('BENCH_STORM_LIMIT_S', 60) * 1000;
const CONCURRENCY = envNumber('BENCH_CONNECT_CONCURRENCY', 100); // per load generator process
// BENCH_PROFILE=1: node A is CPU-profiled while the storm comes back (adds overhead to it).
const PROFILE = process.env.BENCH_PROFILE === '1';

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

/** Runs the storm against each of BENCH_STORM_TARGETS; adds its table and summary rows. */
export async function reconnectStorm({ tables, summary }) {
  const stormResults = [];
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
}
