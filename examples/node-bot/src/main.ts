import { ChatClient } from '@chat/core';
import { createUserToken } from '@chat/server';
import { createBot } from './bot';

/**
 * Runs the bot from the environment:
 *
 * - CHAT_BASE_URL   the chat server (default http://127.0.0.1:8080)
 * - CHAT_API_KEY    the application's api key (required)
 * - CHAT_API_SECRET the application's secret: the bot signs its own tokens with it. The secret is
 *                   a backend credential; this process *is* a backend, so it may hold it.
 * - CHAT_TOKEN      instead of the secret: a ready user token for CHAT_BOT_ID (not refreshed)
 * - CHAT_PASSWORD   instead of both: log in as the account CHAT_BOT_ID with this password
 *                   (apps whose accounts live on the chat server, like the demo app)
 * - CHAT_BOT_ID     the bot's user id, or username with CHAT_PASSWORD (default "bot")
 * - CHAT_CHANNEL    the channel to answer in, as type:id (default "team:general")
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const baseUrl = env.CHAT_BASE_URL || 'http://127.0.0.1:8080';
  const apiKey = env.CHAT_API_KEY;
  const secret = env.CHAT_API_SECRET;
  const fixedToken = env.CHAT_TOKEN;
  const password = env.CHAT_PASSWORD;
  const botId = env.CHAT_BOT_ID || 'bot';
  const cid = env.CHAT_CHANNEL || 'team:general';
  if (!apiKey) throw new Error('Set CHAT_API_KEY (and CHAT_API_SECRET, CHAT_TOKEN or CHAT_PASSWORD)');
  if (!secret && !fixedToken && !password)
    throw new Error('Set CHAT_API_SECRET, CHAT_TOKEN or CHAT_PASSWORD');
  const [type, id, ...rest] = cid.split(':');
  if (!type || !id || rest.length > 0)
    throw new Error(`CHAT_CHANNEL must be type:id, got ${JSON.stringify(cid)}`);

  const client = new ChatClient({ apiKey, baseUrl });
  // The client keeps retrying an unreachable server (with backoff) rather than failing.
  console.info(`Connecting to ${baseUrl} as ${botId}…`);
  if (secret) {
    // A provider: the client asks again whenever the token expires.
    await client.connect({ id: botId }, () => createUserToken(secret, botId));
  } else if (fixedToken) {
    await client.connect({ id: botId }, fixedToken);
  } else {
    await client.auth.login({ username: botId, password: password! });
  }
  const channel = client.channel(type as Parameters<ChatClient['channel']>[0], id);
  let bot: Awaited<ReturnType<typeof createBot>>;
  try {
    bot = await createBot({ client, channel });
  } catch (error) {
    client.disconnect();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot watch ${cid} as ${botId} (${message}). Is "${botId}" a member of ${cid}?`);
  }
  console.info(`${botId} is answering /echo and /roll in ${cid} on ${baseUrl}. Ctrl-C stops it.`);

  const stop = async (signal: string) => {
    console.info(`${signal}: stopping`);
    await bot.stop();
    client.disconnect();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main(process.env).catch((error: unknown) => {
  console.error(`node-bot: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
