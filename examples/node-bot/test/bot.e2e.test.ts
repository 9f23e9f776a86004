import { randomBytes } from 'node:crypto';
import { type Channel, ChatClient } from '@chat/core';
import { type ChatServer, createChatServer, createServerToken, createUserToken } from '@chat/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, createBot } from '../src/bot';

let server: ChatServer;
let apiKey: string;
let apiSecret: string;
let botClient: ChatClient;
let aliceClient: ChatClient;
let bot: Bot;
let aliceChannel: Channel;
const silent = { info: () => {}, error: () => {} };

async function connect(userId: string) {
  const client = new ChatClient({ apiKey, baseUrl: server.url });
  await client.connect({ id: userId }, () => createUserToken(apiSecret, userId));
  return client;
}

/** Resolves once the channel's state satisfies `predicate`. */
function until(channel: Channel, predicate: () => boolean, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Timed out; messages: ${JSON.stringify(channel.state.getSnapshot().messages)}`));
    }, ms);
    const stop = channel.state.subscribe(() => {
      if (!predicate()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

const byBot = () => aliceChannel.state.getSnapshot().messages.filter((m) => m.user_id === 'bot');

beforeAll(async () => {
  server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory',
    seedDemo: false,
    logLevel: 'silent',
  });
  apiKey = randomBytes(12).toString('base64url');
  apiSecret = randomBytes(32).toString('base64url');
  await server.store.db
    .insertInto('applications')
    .values({ name: 'node-bot e2e', api_key: apiKey, api_secret: apiSecret, allow_registration: false })
    .execute();

  // The app's backend: create the users and a team channel holding both.
  const serverToken = await createServerToken(apiSecret);
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': apiKey,
        authorization: `Bearer ${serverToken}`,
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await call('/v1/users', { users: [{ id: 'bot', name: 'Dice Bot' }, { id: 'alice' }] });

  aliceClient = await connect('alice');
  aliceChannel = await aliceClient.channels.create({
    type: 'messaging',
    id: 'dice',
    members: ['alice', 'bot'],
  });
  await aliceChannel.watch();

  botClient = await connect('bot');
  bot = await createBot({
    client: botClient,
    channel: botClient.channel('messaging', 'dice'),
    log: silent,
    random: () => 0.5,
  });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  botClient?.disconnect();
  aliceClient?.disconnect();
  await server?.close();
});

describe('the bot in a channel', () => {
  it('answers /echo with a quoted reply', async () => {
    const command = await aliceChannel.sendMessage({ text: '/echo hi' });
    await until(aliceChannel, () => byBot().length === 1);
    const [reply] = byBot();
    expect(reply?.text).toBe('hi');
    expect(reply?.quoted_message_id).toBe(command.id);
  });

  it('answers /roll 3d6 with the dice and their sum', async () => {
    const command = await aliceChannel.sendMessage({ text: '/roll 3d6' });
    await until(aliceChannel, () => byBot().length === 2);
    const reply = byBot()[1];
    expect(reply?.text).toBe('🎲 3d6: 4 + 4 + 4 = 12');
    expect(reply?.quoted_message_id).toBe(command.id);
  });

  it('answers a command in a thread inside that thread', async () => {
    const parent = await aliceChannel.sendMessage({ text: 'rolling for initiative' });
    await aliceChannel.sendMessage({ text: '/roll d20', parentId: parent.id });
    await aliceChannel.getReplies(parent.id);
    await until(aliceChannel, () =>
      (aliceChannel.state.getSnapshot().threads[parent.id] ?? []).some((m) => m.user_id === 'bot'),
    );
    const replies = aliceChannel.state.getSnapshot().threads[parent.id] ?? [];
    expect(replies.find((m) => m.user_id === 'bot')?.text).toBe('🎲 1d20: 11');
  });

  it('ignores ordinary talk, and stops answering after stop()', async () => {
    await aliceChannel.sendMessage({ text: 'just chatting' });
    await bot.stop();
    await aliceChannel.sendMessage({ text: '/echo anyone?' });
    // The bot answers within milliseconds when it does; give it ample time not to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(byBot().map((m) => m.text)).toEqual(['hi', '🎲 3d6: 4 + 4 + 4 = 12']);
  });
});
