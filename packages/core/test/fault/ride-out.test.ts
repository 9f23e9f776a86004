import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  errorLines,
  faultSuiteRuns,
  type OwnPostgres,
  type OwnRedis,
  type ServerNode,
  startNodes,
  startPostgres,
  startRedis,
  stopNodes,
  tail,
} from '@chat/fault-kit';
import { createUserToken, openStore } from '@chat/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Channel, ChatClient, createMemoryStorage, type Message } from '../../src/index';

/**
 * Issue #22, "riding out faults": the SDK (ChatClient in Node, its global WebSocket, the memory
 * offline storage) against two server nodes sharing a Redis and a PostgreSQL this suite owns.
 * Acceptance, held to the letter:
 *
 * > With 2 nodes, a sender at 20 msgs/s with **default** rate limits and a second user on each
 * > node: a 5 s Redis kill, a 30 s Redis kill, and a 5 s PostgreSQL stop each end with 0 messages
 * > failed for good, 0 still "sending" 10 s after recovery, 0 lost, 0 duplicated, order kept;
 * > delivery between users on the same node continues through the Redis outage; cross-node
 * > delivery resumes within 3 s of recovery; `/readyz` is 503 during each outage; presence and
 * > watcher counts are right within 5 s of recovery; fewer than 10 error lines per node per outage.
 *
 * alice (node 1) sends; bob (node 1) and carol (node 2) read; dave (node 2) is watching when the
 * fault starts and leaves during it, so presence and the watcher count must change across the
 * outage. From the fault on, bob also sends a probe every 500 ms within his own write budget, so
 * same-node delivery during the outage and cross-node delivery after it are measured on any
 * message the server created then (alice's or bob's), not only on how far alice's queue has got.
 * "Recovery" is the moment the service accepts connections again (redis-server printed "Ready to
 * accept connections"; `pg_ctl start -w` returned).
 *
 * Every acceptance check is a soft assertion, so a run reports all of them, and each case prints
 * one summary line with the numbers behind them.
 */

const runs = faultSuiteRuns();

/** The server's CLI, as the package the SDK's tests depend on ships it. */
const cli = join(dirname(createRequire(import.meta.url).resolve('@chat/server/package.json')), 'dist/cli.js');

/** The server's default presence grace (set explicitly, so the deadline below matches it). */
const PRESENCE_GRACE_MS = 5_000;

/**
 * What every node runs with. Rate limits stay at the server's defaults: an empty value means the
 * default, so an override in the caller's environment cannot raise them for this suite.
 */
const NODE_ENV = {
  LOG_LEVEL: 'info',
  CHAT_SEED_DEMO: '0',
  CHAT_WS_WRITES_PER_WINDOW: '',
  CHAT_WS_WRITES_WINDOW_S: '',
  CHAT_WS_FRAMES_PER_WINDOW: '',
  CHAT_WS_INVALID_FRAMES_PER_WINDOW: '',
  CHAT_WS_FRAME_WINDOW_MS: '',
  CHAT_DATABASE_SCHEMA: '',
  CHAT_REDIS_PREFIX: '',
  // Shortened (default 25 s) so presence is refreshed, and found failing, as often as under load.
  CHAT_WS_HEARTBEAT_MS: '1000',
  CHAT_PRESENCE_GRACE_MS: String(PRESENCE_GRACE_MS),
};

const SEND_INTERVAL_MS = 50; // 20 msgs/s
const SEND_BEFORE_MS = 3_000;
const SEND_AFTER_MS = 3_000;
/** The acceptance's "10 s after recovery". */
const SETTLED_AFTER_MS = 10_000;
/** How long after that the readers get to hold everything the server stored. */
const READERS_GRACE_MS = 5_000;
const CROSS_NODE_RESUME_MS = 3_000;
const PRESENCE_RIGHT_MS = 5_000;
const WATCHERS_RIGHT_MS = 5_000;
const MAX_ERROR_LINES = 10;
const READYZ_EVERY_MS = 250;
const PROBE_INTERVAL_MS = 500;
const READYZ_TIMEOUT_MS = 1_000;

/** Polls `check` every 50 ms until true; resolves with when it first held, or null after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return Date.now();
    if (Date.now() >= deadline) return null;
    await sleep(50);
  }
}

/** Waits for `promise`, giving up after `ms` (a cleanup must not hang the suite). */
function bounded(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise.catch(() => undefined), sleep(ms)]);
}

/**
 * Calls `channel.sendMessage` every `intervalMs` without waiting for the previous one (the SDK
 * queues them), recording what becomes of each, until `stop()`.
 */
function sendEvery(channel: Channel, prefix: string, intervalMs: number) {
  const sends: Send[] = [];
  let sending = true;
  const loop = (async () => {
    const start = Date.now();
    for (let i = 0; sending; i++) {
      await sleep(Math.max(0, start + i * intervalMs - Date.now()));
      if (!sending) break;
      const send: Send = { text: `${prefix} ${i}`, calledAt: Date.now(), outcome: 'open' };
      sends.push(send);
      channel.sendMessage({ text: send.text }).then(
        () => {
          send.outcome = 'sent';
        },
        (error: unknown) => {
          send.outcome = 'rejected';
          send.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        },
      );
    }
  })();
  return {
    sends,
    stop() {
      sending = false;
      return loop;
    },
  };
}

interface User {
  id: string;
  node: ServerNode;
  client: ChatClient;
  channel: Channel;
  /** When each message (by text, whoever sent it) first showed in this user's channel state. */
  arrivals: Map<string, number>;
  /** `message.new` events of the channel received live (replays after a resync are not events). */
  events: number;
}

/** One `sendMessage` of alice's, and what became of its promise. */
interface Send {
  text: string;
  calledAt: number;
  outcome: 'open' | 'sent' | 'rejected';
  error?: string;
}

/** `/readyz` answers of one node over the fault. */
interface Probe {
  at: number;
  /** HTTP status, or why there was none. */
  status: number | 'timeout' | 'error';
  body: string;
}

/** What became of alice's sends at one moment. */
interface Outcome {
  /** `sendMessage` resolved. */
  acked: number;
  /** Rejected, or shown `failed`: failed for good (retryable failures are retried by the SDK). */
  failed: number;
  /** `sendMessage` neither resolved nor rejected. */
  open: number;
  /** Shown `sending` in alice's channel state. */
  sending: number;
  /** Writes in alice's sync queue (pending, sending or failed). */
  queued: number;
}

function outcomeOf(channel: Channel, sends: readonly Send[]): Outcome {
  const { messages } = channel.state.getSnapshot();
  return {
    acked: sends.filter((s) => s.outcome === 'sent').length,
    failed: new Set([
      ...sends.filter((s) => s.outcome === 'rejected').map((s) => s.text),
      ...messages.filter((m) => m.status === 'failed').map((m) => m.text ?? ''),
    ]).size,
    open: sends.filter((s) => s.outcome === 'open').length,
    sending: messages.filter((m) => m.status === 'sending').length,
    queued: channel.pendingWrites.getSnapshot().length,
  };
}

/** What the case measured; printed as one line, asserted below. */
interface Measures {
  sent: number;
  /** alice's sends 10 s after recovery. */
  settled: Outcome;
  /** The same at the end of the case (`endMs` after recovery). */
  end: Outcome;
  endMs: number;
  /** The server's messages against alice's sends, at the end. */
  server: Tally;
  /** alice's sends that `sendMessage` resolved (acknowledged) and the server does not hold. */
  lost: number;
  /** Each channel state against the server's messages, at the end. */
  views: Record<string, Tally & { events: number; hasOlder: boolean }>;
  /** bob's probes. */
  probes: { sent: number; acked: number };
  /** Messages of alice and of bob (node 1) the server created during the outage. */
  createdMidOutage: { alice: number; bob: number };
  /** Of those, how many showed in the other node-1 user's state before recovery. */
  sameNodeMidOutage: number;
  /** The same, of those created in the second half of the outage. */
  sameNodeSecondHalf: number;
  /** When the server created the first message after recovery. */
  firstCreatedAfterRecoveryMs: number | null;
  /** When the first message created after recovery showed in carol's state (node 2). */
  carolFirstPostRecoveryMs: number | null;
  alicePresenceMs: number | null;
  daveOfflineMs: number | null;
  watchersMs: number | null;
  watcherCounts: Record<string, number>;
  presenceAtEnd: Record<string, { alice: boolean | undefined; dave: boolean | undefined }>;
  readyz: Record<string, Probe[]>;
  errors: Record<string, string[]>;
}

/** How a list of alice's message texts compares with a reference list. */
interface Tally {
  count: number;
  /** In the reference, not in the list. */
  missing: number;
  duplicated: number;
  unexpected: number;
  /** Adjacent pairs in the wrong order (by send order). */
  outOfOrder: number;
}

function tally(texts: readonly string[], reference: readonly string[]): Tally {
  const index = new Map(reference.map((text, i) => [text, i]));
  const seen = new Set(texts);
  let outOfOrder = 0;
  const known = texts.filter((t) => index.has(t)).map((t) => index.get(t)!);
  for (let i = 1; i < known.length; i++) if (known[i]! <= known[i - 1]!) outOfOrder++;
  return {
    count: texts.length,
    missing: reference.filter((t) => !seen.has(t)).length,
    duplicated: texts.length - seen.size,
    unexpected: [...seen].filter((t) => !index.has(t)).length,
    outOfOrder,
  };
}

const fmtOutcome = (o: Outcome) =>
  `acked ${o.acked}, failed ${o.failed}, pending ${o.open} (shown sending ${o.sending}, queued ${o.queued})`;
const fmtMs = (ms: number | null) => (ms === null ? 'never' : `+${ms} ms`);
const fmtTally = (t: Tally) =>
  `${t.count} (missing ${t.missing}, dup ${t.duplicated}, unexpected ${t.unexpected}, out of order ${t.outOfOrder})`;

/** `200×4 503×12 200×30`: a node's readyz answers in order, runs collapsed. */
function collapse(probes: readonly Probe[]): string {
  const out: string[] = [];
  let last: Probe['status'] | undefined;
  let n = 0;
  for (const probe of probes) {
    if (probe.status === last) n++;
    else {
      if (last !== undefined) out.push(`${last}×${n}`);
      last = probe.status;
      n = 1;
    }
  }
  if (last !== undefined) out.push(`${last}×${n}`);
  return out.join(' ');
}

/** alice's messages in a channel state, as the users see them (sent ones, oldest first). */
const textsOf = (channel: Channel) =>
  channel.state
    .getSnapshot()
    .messages.filter((m) => m.user.id === 'alice' && m.status === 'sent')
    .map((m) => m.text ?? '');

describe.skipIf(!runs)('the SDK rides out a dependency outage on two nodes (issue #22)', () => {
  let redis: OwnRedis;
  let postgres: OwnPostgres;
  let redisUp = false;
  let postgresUp = false;
  const nodes: ServerNode[] = [];
  const clients: ChatClient[] = [];
  let report: (() => string) | undefined;
  /** Stops what a case left running in the background (its sender, its readyz polls). */
  const background: (() => unknown)[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    redisUp = true;
    postgres = await startPostgres();
    postgresUp = true;
    // Migrated once here, so the nodes start on a ready schema instead of racing to create it.
    const store = await openStore({ databaseUrl: postgres.url, poolSize: 1 });
    await store.close();
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      console.error([report?.(), ...nodes.map((node) => tail(node, 80))].join('\n'));
    }
    report = undefined;
    await Promise.all(background.splice(0).map((stop) => bounded(Promise.resolve(stop()), 5_000)));
    await Promise.all(clients.splice(0).map((client) => bounded(client.disconnect(), 5_000)));
    await stopNodes(nodes.splice(0));
    // A case that failed mid-outage leaves the service down for the next one.
    if (redis && !redisUp) await redis.start().then(() => (redisUp = true));
    if (postgres && !postgresUp) await postgres.start().then(() => (postgresUp = true));
  });

  afterAll(async () => {
    await Promise.allSettled([redis?.stop(), postgres?.destroy()]);
  });

  /** A new application, created in the database (its secret signs the users' tokens). */
  async function newApp(): Promise<{ apiKey: string; apiSecret: string }> {
    const store = await openStore({ databaseUrl: postgres.url, poolSize: 1 });
    try {
      const app = {
        name: `ride-out ${randomBytes(4).toString('hex')}`,
        api_key: randomBytes(12).toString('base64url'),
        api_secret: randomBytes(32).toString('base64url'),
      };
      await store.db.insertInto('applications').values(app).execute();
      return { apiKey: app.api_key, apiSecret: app.api_secret };
    } finally {
      await store.close();
    }
  }

  async function connect(app: { apiKey: string; apiSecret: string }, node: ServerNode, id: string) {
    const client = new ChatClient({ apiKey: app.apiKey, baseUrl: node.url, storage: createMemoryStorage() });
    clients.push(client);
    await client.connect({ id }, () => createUserToken(app.apiSecret, id));
    return client;
  }

  /** Watches `channel` as `id`, recording when each of alice's messages shows in the state. */
  async function follow(id: string, node: ServerNode, client: ChatClient, channel: Channel): Promise<User> {
    const user: User = { id, node, client, channel, arrivals: new Map(), events: 0 };
    const record = () => {
      const now = Date.now();
      for (const m of channel.state.getSnapshot().messages) {
        if (m.status === 'sent' && m.text && !user.arrivals.has(m.text)) user.arrivals.set(m.text, now);
      }
    };
    channel.state.subscribe(record);
    client.on('message.new', (event) => {
      if (event.cid === channel.cid) user.events++;
    });
    await channel.watch();
    record();
    return user;
  }

  /** Polls `/readyz` of every node until stopped. */
  function pollReadyz(of: readonly ServerNode[]) {
    const probes: Record<string, Probe[]> = Object.fromEntries(of.map((node) => [node.name, []]));
    let stopping = false;
    const loops = of.map(async (node) => {
      while (!stopping) {
        const at = Date.now();
        let probe: Probe;
        try {
          const reply = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(READYZ_TIMEOUT_MS) });
          probe = { at, status: reply.status, body: (await reply.text()).slice(0, 300) };
        } catch (error) {
          const timeout = (error as Error).name === 'TimeoutError';
          probe = { at, status: timeout ? 'timeout' : 'error', body: String(error).slice(0, 300) };
        }
        probes[node.name]!.push(probe);
        await sleep(Math.max(0, at + READYZ_EVERY_MS - Date.now()));
      }
    });
    return {
      probes,
      async stop() {
        stopping = true;
        await Promise.all(loops);
      },
    };
  }

  interface Fault {
    label: string;
    service: 'redis' | 'postgres';
    outageMs: number;
    down(): Promise<void>;
    up(): Promise<void>;
  }

  async function rideOut(fault: Fault): Promise<void> {
    const [node1, node2] = (await startNodes(
      cli,
      ['node1', 'node2'],
      { ...NODE_ENV, DATABASE_URL: postgres.url, REDIS_URL: redis.url },
      nodes,
    )) as [ServerNode, ServerNode];
    const app = await newApp();
    const aliceClient = await connect(app, node1, 'alice');
    const bobClient = await connect(app, node1, 'bob');
    const carolClient = await connect(app, node2, 'carol');
    const daveClient = await connect(app, node2, 'dave');
    const created = await aliceClient.channels.create({
      type: 'messaging',
      members: ['alice', 'bob', 'carol', 'dave'],
    });
    const alice = await follow('alice', node1, aliceClient, created);
    const handle = (client: ChatClient) => client.channel(created.type, created.id);
    const bob = await follow('bob', node1, bobClient, handle(bobClient));
    const carol = await follow('carol', node2, carolClient, handle(carolClient));
    await follow('dave', node2, daveClient, handle(daveClient));
    const readers = [bob, carol];
    // The steady state before the fault: everyone online, four watchers (not asserted: the
    // summary shows it when a later check fails for a reason that predates the fault).
    const baselineAt = await until(
      () =>
        readers.every(
          (r) =>
            r.channel.state.getSnapshot().watcherCount === 4 &&
            r.client.users.isOnline('alice') === true &&
            r.client.users.isOnline('dave') === true,
        ),
      5_000,
    );
    const baseline = `baseline ${baselineAt === null ? 'NOT reached' : 'ok'} (watchers ${readers
      .map((r) => r.channel.state.getSnapshot().watcherCount)
      .join('/')})`;

    // alice sends every 50 ms without waiting for the previous one: the SDK queues them.
    const sender = sendEvery(alice.channel, 'ride-out', SEND_INTERVAL_MS);
    const sends = sender.sends;
    background.push(() => sender.stop());

    let measures: Measures | undefined;
    report = () =>
      measures
        ? [
            summary(fault, measures, baseline),
            ...Object.entries(measures.errors).flatMap(([name, lines]) =>
              lines.slice(0, 5).map((line) => `${name} error: ${line.slice(0, 400)}`),
            ),
            ...sends
              .filter((s) => s.error)
              .slice(0, 5)
              .map((s) => `${s.text} rejected: ${s.error}`),
          ].join('\n')
        : `[${fault.label}] ${baseline}; sent ${sends.length} (no measures: the case stopped early)`;

    await sleep(SEND_BEFORE_MS);
    const logFrom = [node1.output().length, node2.output().length];
    const readyz = pollReadyz([node1, node2]);
    background.push(() => readyz.stop());
    const faultAt = Date.now();
    if (fault.service === 'redis') redisUp = false;
    else postgresUp = false;
    await fault.down();
    // bob (node 1) sends a probe every 500 ms from the fault on, within his own write budget: a
    // measure of same-node delivery during the outage, and of cross-node delivery after it, that
    // does not hang on how far alice's queue is behind her budget.
    const prober = sendEvery(bob.channel, 'probe', PROBE_INTERVAL_MS);
    background.push(() => prober.stop());
    await sleep(Math.max(0, faultAt + fault.outageMs * 0.4 - Date.now()));
    // A user who leaves during the outage: seen offline, and no longer watching, after it.
    await bounded(daveClient.disconnect(), 2_000);
    await sleep(Math.max(0, faultAt + fault.outageMs - Date.now()));
    await fault.up();
    const recoveredAt = Date.now();
    if (fault.service === 'redis') redisUp = true;
    else postgresUp = true;

    const sinceRecovery = (at: number | null) => (at === null ? null : at - recoveredAt);
    const [alicePresenceAt, daveOfflineAt, watchersAt] = await Promise.all([
      until(() => readers.every((r) => r.client.users.isOnline('alice') === true), PRESENCE_RIGHT_MS),
      until(
        // He left before recovery, so his grace has run by then or runs out within it.
        () => readers.every((r) => r.client.users.isOnline('dave') === false),
        PRESENCE_RIGHT_MS,
      ),
      until(() => readers.every((r) => r.channel.state.getSnapshot().watcherCount === 3), WATCHERS_RIGHT_MS),
      // Sending stops a few seconds after recovery, whatever the checks above wait for.
      sleep(Math.max(0, recoveredAt + SEND_AFTER_MS - Date.now())).then(() =>
        Promise.all([sender.stop(), prober.stop()]),
      ),
    ]);
    await sleep(Math.max(0, recoveredAt + SETTLED_AFTER_MS - Date.now()));
    await readyz.stop();
    const logTo = [node1.output().length, node2.output().length];

    // 10 s after recovery: what alice's SDK still has unsent (the acceptance's moment).
    const sentTexts = sends.map((s) => s.text);
    const settled = outcomeOf(alice.channel, sends);
    // Then a bounded moment more for the rest to finish (alice's queue, the readers), so the
    // counts below tell a late message from a lost one.
    const ackedTexts = () => sends.filter((s) => s.outcome === 'sent').map((s) => s.text);
    await until(
      () =>
        sends.every((s) => s.outcome !== 'open') &&
        [alice, bob, carol].every((u) => tally(textsOf(u.channel), ackedTexts()).missing === 0),
      READERS_GRACE_MS,
    );
    const endMs = Date.now() - recoveredAt;
    const end = outcomeOf(alice.channel, sends);
    // What the server holds, read over REST through the other node.
    const stored = await readAll(carol.client, carol.channel);
    const storedTexts = stored.filter((m) => m.user.id === 'alice').map((m) => m.text ?? '');

    // Same node: what alice and bob (both on node 1) sent each other mid-outage, and when it
    // showed on the other side. Cross node: the first message created after recovery, by anyone,
    // to show in carol's state.
    const createdAt = (m: Message) => Date.parse(m.created_at);
    const nodeOne = { alice: bob, bob: alice } as Record<string, User>;
    const midOutage = stored.filter(
      (m) => m.user.id in nodeOne && createdAt(m) > faultAt && createdAt(m) < recoveredAt,
    );
    const secondHalf = faultAt + fault.outageMs / 2;
    const reachedMidOutage = (from: number) =>
      midOutage.filter(
        (m) =>
          createdAt(m) >= from && (nodeOne[m.user.id]!.arrivals.get(m.text ?? '') ?? Infinity) < recoveredAt,
      ).length;
    const postRecovery = stored.filter((m) => m.user.id !== 'carol' && createdAt(m) >= recoveredAt);
    const carolFirst = Math.min(...postRecovery.map((m) => carol.arrivals.get(m.text ?? '') ?? Infinity));
    const firstCreated = Math.min(...postRecovery.map(createdAt));

    measures = {
      sent: sends.length,
      settled,
      end,
      endMs,
      server: tally(storedTexts, sentTexts),
      lost: sends.filter((s) => s.outcome === 'sent' && !storedTexts.includes(s.text)).length,
      views: Object.fromEntries(
        [alice, bob, carol].map((u) => {
          const texts = textsOf(u.channel);
          const { hasOlder } = u.channel.state.getSnapshot();
          return [u.id, { ...tally(texts, storedTexts), events: u.events, hasOlder }];
        }),
      ),
      probes: { sent: prober.sends.length, acked: prober.sends.filter((p) => p.outcome === 'sent').length },
      createdMidOutage: {
        alice: midOutage.filter((m) => m.user.id === 'alice').length,
        bob: midOutage.filter((m) => m.user.id === 'bob').length,
      },
      sameNodeMidOutage: reachedMidOutage(faultAt),
      sameNodeSecondHalf: reachedMidOutage(secondHalf),
      firstCreatedAfterRecoveryMs: Number.isFinite(firstCreated) ? firstCreated - recoveredAt : null,
      carolFirstPostRecoveryMs: Number.isFinite(carolFirst) ? carolFirst - recoveredAt : null,
      alicePresenceMs: sinceRecovery(alicePresenceAt),
      daveOfflineMs: sinceRecovery(daveOfflineAt),
      watchersMs: sinceRecovery(watchersAt),
      watcherCounts: Object.fromEntries(
        readers.map((r) => [r.id, r.channel.state.getSnapshot().watcherCount]),
      ),
      presenceAtEnd: Object.fromEntries(
        readers.map((r) => [
          r.id,
          { alice: r.client.users.isOnline('alice'), dave: r.client.users.isOnline('dave') },
        ]),
      ),
      readyz: readyz.probes,
      errors: {
        node1: errorLines(node1, logFrom[0], logTo[0]),
        node2: errorLines(node2, logFrom[1], logTo[1]),
      },
    };
    console.info(summary(fault, measures, baseline));

    // --- the acceptance ----------------------------------------------------------------------
    const m = measures;
    expect.soft(m.settled.failed, 'messages failed for good (10 s after recovery)').toBe(0);
    expect.soft(m.end.failed, 'messages failed for good (end)').toBe(0);
    expect.soft(m.settled.open, 'sendMessage promises still open 10 s after recovery').toBe(0);
    expect.soft(m.settled.sending, 'messages still "sending" in alice’s state 10 s after recovery').toBe(0);
    expect.soft(m.settled.queued, 'writes still in alice’s sync queue 10 s after recovery').toBe(0);
    // Not stored = lost (acknowledged, yet absent) + failed + still pending (both asserted above).
    expect.soft(m.lost, 'acknowledged messages the server does not hold (lost)').toBe(0);
    expect.soft(m.server.duplicated, 'messages the server holds twice').toBe(0);
    expect.soft(m.server.unexpected, 'messages on the server alice never sent').toBe(0);
    expect.soft(m.server.outOfOrder, 'server order differs from send order').toBe(0);
    for (const id of ['alice', 'bob', 'carol']) {
      const view = m.views[id]!;
      expect.soft(view.missing, `${id}'s channel state misses messages the server holds`).toBe(0);
      expect.soft(view.unexpected, `${id}'s channel state holds messages the server does not`).toBe(0);
      expect.soft(view.duplicated, `${id}'s channel state holds messages twice`).toBe(0);
      expect.soft(view.outOfOrder, `${id}'s channel state out of the server's order`).toBe(0);
    }
    if (fault.service === 'redis') {
      expect
        .soft(
          m.sameNodeMidOutage,
          'messages sent mid-outage between alice and bob (node 1) delivered mid-outage',
        )
        .toBeGreaterThan(0);
      expect
        .soft(
          m.sameNodeSecondHalf,
          'of those, sent in the second half of the outage (delivery continues through it)',
        )
        .toBeGreaterThan(0);
    }
    expect
      .soft(m.carolFirstPostRecoveryMs, 'carol (other node) got a message sent after recovery')
      .not.toBeNull();
    expect
      .soft(m.carolFirstPostRecoveryMs ?? Infinity, 'cross-node delivery resumed within 3 s of recovery')
      .toBeLessThanOrEqual(CROSS_NODE_RESUME_MS);
    for (const node of [node1, node2]) {
      const probes = m.readyz[node.name]!;
      const during = probes.filter((p) => p.at > faultAt && p.at < recoveredAt);
      expect
        .soft(during.filter((p) => p.status === 503).length, `${node.name} /readyz 503 during the outage`)
        .toBeGreaterThan(0);
      expect.soft(probes.at(-1)?.status, `${node.name} /readyz after recovery`).toBe(200);
      expect.soft(node.dead, `${node.name} exited`).toBe(false);
    }
    expect.soft(m.alicePresenceMs, 'bob and carol see alice online within 5 s of recovery').not.toBeNull();
    expect
      .soft(m.daveOfflineMs, 'bob and carol see dave (left mid-outage) offline within 5 s of recovery')
      .not.toBeNull();
    expect.soft(m.watchersMs, 'bob and carol see 3 watchers within 5 s of recovery').not.toBeNull();
    for (const [id, seen] of Object.entries(m.presenceAtEnd)) {
      expect.soft(seen, `${id}'s presence view at the end`).toEqual({ alice: true, dave: false });
    }
    for (const [id, count] of Object.entries(m.watcherCounts)) {
      expect.soft(count, `${id}'s watcher count at the end`).toBe(3);
    }
    for (const [name, lines] of Object.entries(m.errors)) {
      expect
        .soft(lines.length, `${name} error lines (level >= 50) from the fault to recovery + 10 s`)
        .toBeLessThan(MAX_ERROR_LINES);
    }
  }

  it('Redis killed (SIGKILL) for 5 s, then restarted empty', async () => {
    await rideOut({
      label: 'redis 5 s',
      service: 'redis',
      outageMs: 5_000,
      down: () => redis.kill(),
      up: () => redis.start(),
    });
  });

  it('Redis killed (SIGKILL) for 30 s, then restarted empty', async () => {
    await rideOut({
      label: 'redis 30 s',
      service: 'redis',
      outageMs: 30_000,
      down: () => redis.kill(),
      up: () => redis.start(),
    });
  });

  it('PostgreSQL stopped (pg_ctl stop -m immediate) for 5 s, then started', async () => {
    await rideOut({
      label: 'postgres 5 s',
      service: 'postgres',
      outageMs: 5_000,
      down: () => postgres.stopImmediately(),
      up: () => postgres.start(),
    });
  });
});

/** Every top-level message of the channel, oldest first, paging back over REST. */
async function readAll(client: ChatClient, channel: Channel): Promise<Message[]> {
  const pages: Message[][] = [];
  let before: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { messages, has_more } = await client.http.request('listMessages', {
      params: { type: channel.type, id: channel.id },
      query: { limit: 100, ...(before && { before }) },
    });
    pages.unshift(messages);
    if (!has_more || messages.length === 0) break;
    before = messages[0]!.id;
  }
  return pages
    .flat()
    .filter((m) => m.parent_id === null)
    .sort((a, b) => a.seq - b.seq);
}

function summary(fault: { label: string }, m: Measures, baseline: string): string {
  const views = Object.entries(m.views)
    .map(([id, v]) => `${id} ${fmtTally(v)} message.new ${v.events}${v.hasOlder ? ' hasOlder' : ''}`)
    .join('; ');
  const readyz = Object.entries(m.readyz)
    .map(([name, probes]) => {
      const reason = probes.find((p) => p.status === 503)?.body;
      return `${name} [${collapse(probes)}]${reason ? ` 503 body ${reason}` : ''}`;
    })
    .join(', ');
  const errors = Object.entries(m.errors)
    .map(([name, lines]) => `${name} ${lines.length}`)
    .join(', ');
  return [
    `[${fault.label}] ${baseline}`,
    `sent ${m.sent}; at +10 s ${fmtOutcome(m.settled)}; at +${m.endMs} ms ${fmtOutcome(m.end)}`,
    `server at end ${fmtTally(m.server)}, lost (acked, not stored) ${m.lost}; views against it:`,
    views,
    `bob's probes ${m.probes.sent} (acked ${m.probes.acked})`,
    `node 1 created mid-outage alice ${m.createdMidOutage.alice} bob ${m.createdMidOutage.bob}, delivered across node 1 mid-outage ${m.sameNodeMidOutage} (second half ${m.sameNodeSecondHalf})`,
    `first created after recovery ${fmtMs(m.firstCreatedAfterRecoveryMs)}, reached carol ${fmtMs(m.carolFirstPostRecoveryMs)}`,
    `alice online ${fmtMs(m.alicePresenceMs)}, dave offline ${fmtMs(m.daveOfflineMs)}, watchers=3 ${fmtMs(m.watchersMs)} (end ${JSON.stringify(m.watcherCounts)}, presence ${JSON.stringify(m.presenceAtEnd)})`,
    `readyz ${readyz}`,
    `error lines ${errors}`,
  ].join(' | ');
}
