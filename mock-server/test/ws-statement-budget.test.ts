import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, createChatServer } from '../src/startup/server';
import { clientId } from './api';
import { getTestStore } from './harness';
import { createChannel, send, uploadWith } from './rest-helpers';
import { appOn, closeSockets } from './ws-fixtures';

/**
 * How many SQL statements the hot paths run. A reconnect storm is thousands of authentications
 * and resumed watches at once, and every message is a send: each statement is a round trip
 * through a pool shared by all of them, so these counts are what bounds the rates (bench/).
 * Counted, not timed: a regression shows as a number, whatever the machine.
 */
class StatementCounter implements KyselyPlugin {
  statements: string[] = [];

  transformQuery(args: PluginTransformQueryArgs) {
    this.statements.push(args.node.kind);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<Record<string, unknown>>> {
    return args.result;
  }

  take(): number {
    const n = this.statements.length;
    this.statements = [];
    return n;
  }
}

const counter = new StatementCounter();

/**
 * The fewest statements `operation` took in `times` runs. The server's worker (the event feed,
 * every half second) shares the counted database: a run it overlaps counts its statements too,
 * so only the fewest is the operation's own.
 */
async function fewest(operation: () => Promise<void>, times = 3): Promise<number> {
  const counts: number[] = [];
  for (let i = 0; i < times; i++) {
    await settled();
    await operation();
    counts.push(counter.take());
  }
  return Math.min(...counts);
}
/**
 * Waits (at most 5 s) for a 100 ms window with no statement: the jobs a send starts (the event
 * feed, webhooks, push) run right after it, and on a loaded machine they last long enough to
 * overlap every retry of the next measurement.
 */
async function settled(): Promise<void> {
  const until = Date.now() + 5_000;
  counter.take();
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (counter.take() === 0) return;
  }
}

let server: ChatServer;
beforeAll(async () => {
  const store = await getTestStore();
  server = await createChatServer({
    store: { ...store, db: store.db.withPlugin(counter) },
    port: 0,
    seedDemo: false,
    logLevel: 'silent',
  });
});
afterAll(() => server?.close());
afterEach(closeSockets);

describe('statements per operation', () => {
  it('an authentication reads the user and the unread counts: 2 statements', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    await createChannel(alice!, 'budget-auth', ['bob']);
    const first = await t.connect('alice'); // also finds the app, which is then cached
    first.close();
    await first.waitForClose();
    expect(
      await fewest(async () => {
        await t.connect('alice');
      }),
    ).toBe(2);
  });

  it('a resumed watch (since) checks access twice, replays, and reads the draft and membership: 5 statements', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget-watch', ['bob']);
    const a = await t.connect('alice');
    const { state } = await a.ok({ type: 'channel.watch', cid });
    let since = state.channel.seq;
    const resume = async () => {
      const result = await a.ok({ type: 'channel.watch', cid, since });
      expect(result.recovered).toBe(true);
      expect(result.events).toHaveLength(1);
      since = result.events[0].seq;
    };
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await send(alice!, cid, `missed ${i}`);
      counts.push(await fewest(resume, 1));
    }
    expect(Math.min(...counts)).toBe(5);
  });

  it('a send over the socket: access, seq, insert, author, event log: 5 statements', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget-send', ['bob']);
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    // The first send also loads the channel's member list for the node's fan-out (then cached).
    const sendOne = (text: string) =>
      a.ok({ type: 'message.send', cid, message: { client_msg_id: clientId(), text } });
    await sendOne('first');
    await a.waitFor((e) => e.type === 'message.new' && e.message.text === 'first');
    let n = 0;
    const sendNext = async () => {
      const text = `next ${n++}`;
      await sendOne(text);
      await a.waitFor((e) => e.type === 'message.new' && e.message.text === text);
    };
    expect(await fewest(sendNext)).toBe(5);
  });

  it('a send with an uploaded file adds one statement that checks and takes the upload, and the attachment: 7', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget-file', ['bob']);
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    const sendWith = async (text: string) => {
      const done = await uploadWith(alice!, server.url, Buffer.from(`notes ${text}\n`), {
        name: 'notes.txt',
        type: 'text/plain',
      });
      expect(done.body.upload.state).toBe('ready');
      const message = { client_msg_id: clientId(), text, attachments: [{ upload_id: done.body.upload.id }] };
      return async () => {
        const { message: sent } = await a.ok({ type: 'message.send', cid, message });
        expect(sent.attachments).toHaveLength(1);
        await a.waitFor((e) => e.type === 'message.new' && e.message.text === text);
      };
    };
    await (await sendWith('first'))();
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) counts.push(await fewest(await sendWith(`with a file ${i}`), 1));
    expect(Math.min(...counts)).toBe(7);
  });
  // An edit and a reaction read the user's row (an app ban or a timeout refuses them): pinned so
  // that what they cost shows as a number when it changes.
  it('an edit over REST (the request authenticated, the message, channel and user read, the edit, its event, the view): 17 statements', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget-edit', ['bob']);
    const message = await send(alice!, cid, 'to edit');
    let n = 0;
    const edit = async () => {
      const reply = await alice!.patch(`/v1/messages/${message.id}`, { text: `edited ${n++}` });
      expect(reply.status).toBe(200);
    };
    await edit();
    expect(await fewest(edit)).toBe(17);
  });

  it('a reaction over the socket (the message, channel and user read, the reaction, its event with counts, the view): 13 statements', async () => {
    const t = await appOn(server);
    const [alice] = await t.users('alice', 'bob');
    const cid = await createChannel(alice!, 'budget-react', ['bob']);
    const message = await send(alice!, cid, 'to react to');
    const a = await t.connect('alice');
    await a.ok({ type: 'channel.watch', cid });
    let n = 0;
    const react = async () => {
      const type = `r${n++}`;
      await a.ok({ type: 'reaction.add', message_id: message.id, reaction_type: type });
      await a.waitFor((e) => e.type === 'reaction.new' && e.reaction.type === type);
    };
    await react();
    expect(await fewest(react)).toBe(13);
  });
});
