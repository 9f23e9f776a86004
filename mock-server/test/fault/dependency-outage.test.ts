import { setTimeout as sleep } from 'node:timers/promises';
import {
  faultSuiteRuns,
  logLines,
  type OwnPostgres,
  type OwnRedis,
  type ServerNode,
  startPostgres,
  startRedis,
  stopNodes,
  tail,
  waitForLine,
} from '@chat/fault-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database';
import { startNodes } from './suite';
import { chatRoom, pollHistory, Receiver, Sender } from './traffic';

/**
 * Redis or PostgreSQL goes away for about five seconds while a client on node 1 sends a message
 * every 75 ms, a member on each of two nodes reads them live, and both nodes serve history reads
 * over REST non-stop (so queries are in flight when the database goes): once it is back, every message the
 * sender got an ack for is stored exactly once, both readers hold them all once and in order (one
 * of them lost its socket during the outage and resumed with `since`), no node exited, and each
 * node said once what it was waiting for and once that it was back.
 */

const runs = faultSuiteRuns();
const OUTAGE_MS = 5_000;

describe.skipIf(!runs)('a dependency lost under steady traffic on two nodes', () => {
  let redis: OwnRedis;
  let postgres: OwnPostgres;
  let store: Store;
  const nodes: ServerNode[] = [];
  const clients: { close(): void }[] = [];
  let report: (() => string) | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    postgres = await startPostgres();
    // Migrated here once, so the nodes start on a ready schema instead of racing to create it.
    store = await openStore({ databaseUrl: postgres.url, poolSize: 2 });
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      console.error([report?.(), ...nodes.map((node) => tail(node))].join('\n'));
    }
    report = undefined;
    for (const client of clients.splice(0)) client.close();
    await stopNodes(nodes.splice(0));
  });

  afterAll(async () => {
    await store?.close();
    await Promise.allSettled([redis?.stop(), postgres?.destroy()]);
  });

  /** What a node logs about the dependency: once when it goes, once when it is back. */
  interface Lines {
    down: RegExp;
    back: RegExp;
  }

  /** Whether sends fail during the outage: they do without the database, never without Redis. */
  type Sends = 'fail and are retried' | 'never fail';

  /**
   * Steady traffic; then `outage` for OUTAGE_MS, during which carol's socket (node 2) drops and
   * her client keeps trying to reconnect; then `recover`, and once both nodes say the dependency
   * is back, 40 more messages, 10 of them while carol is away again.
   */
  async function trafficThrough(
    outage: () => Promise<void>,
    recover: () => Promise<void>,
    lines: Lines,
    sends: Sends,
  ) {
    const [node1, node2] = (await startNodes(
      ['node1', 'node2'],
      { DATABASE_URL: postgres.url, REDIS_URL: redis.url },
      nodes,
    )) as [ServerNode, ServerNode];
    const room = await chatRoom(store.db, node1, ['alice', 'bob', 'carol']);
    const sender = new Sender(room, node1, 'alice');
    const onNode1 = new Receiver(room, node1, 'bob');
    const onNode2 = new Receiver(room, node2, 'carol');
    clients.push(onNode1, onNode2, sender);
    report = () =>
      `sent ${sender.sent.length}, acked ${sender.count()}, failed attempts ${JSON.stringify(
        Object.fromEntries(sender.failures),
      )}; bob held ${onNode1.feed.messages.length} (seq ${onNode1.feed.lastSeq}), carol held ${
        onNode2.feed.messages.length
      } (seq ${onNode2.feed.lastSeq})`;
    await Promise.all([onNode1.start(), onNode2.start()]);
    const readers = [
      pollHistory(await room.api(node1, 'bob'), room.cid),
      pollHistory(await room.api(node2, 'carol'), room.cid),
    ];
    clients.push(...readers.map((reader) => ({ close: () => void reader.stop() })));

    await sender.start();
    await sender.ackedMore(20);
    const logFrom = [node1.output().length, node2.output().length];
    await outage();
    await sleep(OUTAGE_MS / 5);
    onNode2.drop();
    await sleep((OUTAGE_MS * 4) / 5);
    await recover();
    // Counted from when every node has it back: messages sent while a node's subscription was
    // still reconnecting reach its readers only when a later one reveals the gap.
    await Promise.all([node1, node2].map((node, i) => waitForLine(node, lines.back, logFrom[i])));
    await sender.ackedMore(10);
    // Away again, while 10 messages go by: she must get them back through `since`.
    const replayedBefore = onNode2.feed.replayed;
    const away = sender.ackedMore(10);
    onNode2.drop(away);
    await away;
    await sender.ackedMore(20);
    await sender.stop();
    await Promise.all(readers.map((reader) => reader.stop()));

    const sent = sender.sent;
    expect(
      sent.filter((s) => !s.acked),
      'stop() waits for the message in flight',
    ).toEqual([]);
    // Without the database sends fail (and are retried); without Redis they go on as usual.
    if (sends === 'fail and are retried') expect(sender.failures.size).toBeGreaterThan(0);
    else expect(Object.fromEntries(sender.failures)).toEqual({});
    const acked = sender.acked;
    const stored = await room.read(node2, 'carol');
    // Every acknowledged message is stored, once, in the order it was sent; nothing else is.
    expect(stored.map((m) => m.id)).toEqual(acked.map((m) => m.id));
    expect(stored.map((m) => m.client_msg_id)).toEqual(sent.map((s) => s.clientMsgId));
    // And in the database, no client_msg_id has two rows (not even a deleted or hidden one).
    const rows = await store.db
      .selectFrom('messages')
      .select(['client_msg_id'])
      .where('app_id', '=', room.app.id)
      .execute();
    expect(rows).toHaveLength(sent.length);
    expect(new Set(rows.map((r) => r.client_msg_id)).size).toBe(sent.length);

    const lastSeq = stored.at(-1)!.seq;
    for (const [name, reader] of [
      ['bob (node 1)', onNode1],
      ['carol (node 2)', onNode2],
    ] as const) {
      await reader.settled(lastSeq);
      expect(
        reader.feed.messages.map((m) => m.id),
        `${name} holds every acknowledged message once, in order`,
      ).toEqual(acked.map((m) => m.id));
    }
    expect(onNode2.reconnects, 'carol lost her socket twice and came back').toBe(2);
    expect(onNode2.feed.replayed - replayedBefore, 'replayed to carol').toBeGreaterThanOrEqual(10);

    expect(node1.dead || node2.dead, 'a node exited').toBe(false);
    // Each node said once what it waited for, and once that it was back, in that order.
    [node1, node2].forEach((node, i) => {
      const down = logLines(node, lines.down, logFrom[i]);
      const back = logLines(node, lines.back, logFrom[i]);
      expect(down, `${node.name}: ${lines.down}`).toHaveLength(1);
      expect(back, `${node.name}: ${lines.back}`).toHaveLength(1);
      expect(node.output().indexOf(down[0]!), `${node.name}: back after down`).toBeLessThan(
        node.output().indexOf(back[0]!),
      );
    });
    console.info(
      `${report()}; ${sender.retried} messages acked after a retry; carol reconnected ${
        onNode2.reconnects
      }x, ${onNode2.feed.replayed} events replayed; bob resynced ${onNode1.feed.gapResyncs}x`,
    );
  }

  it('Redis killed (SIGKILL) and restarted empty after 5 s', async () => {
    const target = `127.0.0.1:${redis.port}`;
    await trafficThrough(
      () => redis.kill(),
      () => redis.start(),
      {
        down: new RegExp(`^waiting for Redis at ${target}$`),
        back: new RegExp(`^Redis is back at ${target}$`),
      },
      'never fail',
    );
  });

  it('PostgreSQL stopped (pg_ctl stop -m immediate) and restarted after 5 s', async () => {
    const target = `127.0.0.1:${postgres.port}/postgres`;
    await trafficThrough(
      () => postgres.stopImmediately(),
      () => postgres.start(),
      {
        down: new RegExp(`^database unavailable at ${target}: waiting for it$`),
        back: new RegExp(`^database is back at ${target}$`),
      },
      'fail and are retried',
    );
  });
});
