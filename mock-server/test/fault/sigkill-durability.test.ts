import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  crash,
  faultSuiteRuns,
  type OwnPostgres,
  type ServerNode,
  startPostgres,
  stopNodes,
  tail,
} from '@chat/fault-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database';
import { createTestApp } from '../harness';
import { startNodes } from './suite';
import { roomOf, Sender } from './traffic';

/**
 * A server killed outright (SIGKILL: no drain, no flush) while a client sends as fast as it gets
 * acks: restarted on the same data, it has every message it acknowledged, once. The message in
 * flight at the kill is sent again with the same client_msg_id to the restarted server and is
 * stored once too, whether or not its first attempt was committed.
 */

const runs = faultSuiteRuns();

describe.skipIf(!runs)('a server killed mid-stream keeps every message it acknowledged', () => {
  let postgres: OwnPostgres;
  const dataDirs: string[] = [];
  const nodes: ServerNode[] = [];
  let sender: Sender | undefined;

  beforeAll(async () => {
    postgres = await startPostgres();
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') console.error(nodes.map((node) => tail(node)).join('\n'));
    sender?.close();
    await stopNodes(nodes.splice(0));
  });

  afterAll(async () => {
    await postgres?.destroy();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh application in `store`, which is then closed (PGlite's data admits one process). */
  async function appIn(store: Store) {
    try {
      return await createTestApp(store.db);
    } finally {
      await store.close();
    }
  }

  it.each([
    {
      backend: 'embedded PGlite',
      setup: async () => {
        const dir = mkdtempSync(join(tmpdir(), 'chat-fault-pglite-'));
        dataDirs.push(dir);
        // Not the DATABASE_URL or REDIS_URL this run may have (CI sets them): PGlite alone.
        const env = { CHAT_DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' };
        return { app: await appIn(await openStore({ dataDir: dir })), env };
      },
    },
    {
      backend: 'PostgreSQL',
      setup: async () => ({
        app: await appIn(await openStore({ databaseUrl: postgres.url, poolSize: 1 })),
        env: { DATABASE_URL: postgres.url },
      }),
    },
  ])('on $backend', async ({ setup }) => {
    const { app, env } = await setup();
    const [first] = await startNodes(['server'], env, nodes);
    const room = await roomOf(app, first!, ['alice', 'bob']);
    sender = new Sender(room, first!, 'alice', 5);
    await sender.start();
    await sender.ackedMore(60);
    await crash(first!);
    const ackedBeforeKill = sender.acked.map((m) => m.id);

    // Restarted on the same data (and a new port); the sender reconnects there and goes on.
    const [restarted] = await startNodes(['restarted'], env, nodes);
    sender.moveTo(restarted!);
    await sender.ackedMore(20);
    await sender.stop();

    expect(sender.reconnects, 'the kill cut the sender off').toBeGreaterThan(0);
    expect(
      sender.sent.filter((s) => !s.acked),
      'stop() waits for the message in flight',
    ).toEqual([]);
    const stored = await room.read(restarted!, 'bob');
    const storedIds = stored.map((m) => m.id);
    expect(storedIds.slice(0, ackedBeforeKill.length), 'acknowledged before the kill').toEqual(
      ackedBeforeKill,
    );
    // All of them, once each, in the order sent: the resent one too.
    expect(storedIds).toEqual(sender.acked.map((m) => m.id));
    expect(stored.map((m) => m.client_msg_id)).toEqual(sender.sent.map((s) => s.clientMsgId));
    console.info(
      `SIGKILL after ${ackedBeforeKill.length} acks; ${stored.length} stored; ${sender.retried} acked after a retry`,
    );
  });
});
