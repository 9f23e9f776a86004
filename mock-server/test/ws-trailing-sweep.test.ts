import type { EventOf } from '@chat/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../src/domain/auth/index';
import { type ChatServer, createChatServer } from '../src/startup/server';
import type { AppRow } from '../src/store/schema';
import { getTestStore } from './harness';
import { createChannel, send } from './rest-helpers';
import { WsClient } from './ws-client';
import { appOn, closeSockets, sleep } from './ws-fixtures';

/**
 * A channel event committed by a node that never published it (it died between the commit and
 * the publish) still reaches the watchers on other nodes: each node looks for watched channels
 * whose log is ahead of what it delivered. Simulated with servers on one database and no shared
 * bus: what one writes, the others never hear of except through the log.
 */

const SWEEP_MS = 200;
let writer: ChatServer;
let sweeping: ChatServer;
let notSweeping: ChatServer;

beforeAll(async () => {
  const store = await getTestStore();
  const start = (trailingSweepMs: number) =>
    createChatServer({ store, port: 0, seedDemo: false, logLevel: 'silent', realtime: { trailingSweepMs } });
  [writer, sweeping, notSweeping] = await Promise.all([start(0), start(SWEEP_MS), start(0)]);
});
afterAll(() => Promise.all([writer, sweeping, notSweeping].map((server) => server?.close())));
const ownSockets: WsClient[] = [];
afterEach(async () => {
  for (const client of ownSockets.splice(0)) client.close();
  await closeSockets();
});

/** A socket of `userId` of `app` on another server than the one the app was made through. */
async function connectTo(server: ChatServer, app: AppRow, userId: string): Promise<WsClient> {
  const client = await WsClient.connect(
    server.wsUrl,
    app.api_key,
    await createUserToken(app.api_secret, userId),
  );
  ownSockets.push(client);
  return client;
}

const newMessages = (events: { type: string }[]) =>
  events.filter((e): e is EventOf<'message.new'> => e.type === 'message.new');

describe('the trailing event sweep', () => {
  it('delivers a committed event that was never published to this node, once, in order', async () => {
    const onWriter = await appOn(writer);
    const [alice] = await onWriter.users('alice', 'bob', 'carol');
    const cid = await createChannel(alice!, 'quiet', ['bob', 'carol']);
    const bob = await connectTo(sweeping, onWriter.app, 'bob');
    const carol = await connectTo(notSweeping, onWriter.app, 'carol');
    for (const client of [bob, carol]) await client.ok({ type: 'channel.watch', cid });

    // The last messages of a conversation: nothing comes after them to reveal the hole.
    const first = await send(alice!, cid, 'are you there?');
    const second = await send(alice!, cid, 'hello?');
    await bob.waitFor((e) => e.type === 'message.new' && e.message.id === second.id, 5_000);
    expect(newMessages(bob.events).map((e) => [e.message.id, e.seq])).toEqual([
      [first.id, first.seq],
      [second.id, second.seq],
    ]);

    // Several more sweeps deliver nothing again.
    await sleep(4 * SWEEP_MS);
    expect(newMessages(bob.events)).toHaveLength(2);
    // Without the sweep, the watcher on the third node never hears of them.
    expect(newMessages(carol.events)).toEqual([]);
  });

  it('leaves a healthy channel alone: what the bus delivers is never delivered twice', async () => {
    const t = await appOn(sweeping);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'busy', ['bob']);
    const bob = await t.connect('bob');
    await bob.ok({ type: 'channel.watch', cid });
    const sent = [];
    for (let i = 0; i < 20; i++) {
      sent.push(await send(alice!, cid, `m${i}`));
      await sleep(SWEEP_MS / 4);
    }
    await sleep(3 * SWEEP_MS);
    expect(newMessages(bob.events).map((e) => e.message.id)).toEqual(sent.map((m) => m.id));
  });
});
