import type { Channel, ChatClient } from '@chat/core';
import { type Random, replyTo } from './commands';

export interface BotOptions {
  /** A connected client, logged in as the bot. */
  client: ChatClient;
  /** The channel to answer in; `createBot` watches it. */
  channel: Channel;
  /** Where the bot reports what it does; `console` by default. */
  log?: Pick<Console, 'info' | 'error'>;
  random?: Random;
}

export interface Bot {
  /** Stops answering, waits for replies in flight, unwatches the channel. Does not disconnect. */
  stop(): Promise<void>;
}

/** How many answered message ids the bot remembers (replays after a reconnect are recent). */
const REMEMBERED = 1_000;

/**
 * Watches `channel` and answers the commands in its new messages (see `commands.ts`): a command
 * at the top level gets a quoted reply, one in a thread a reply in that thread. The bot skips its
 * own messages and never answers the same message twice, even if the server delivers it again.
 */
export async function createBot({ client, channel, log = console, random }: BotOptions): Promise<Bot> {
  const answered = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const unsubscribe = client.on('message.new', ({ cid, message }) => {
    if (stopped || cid !== channel.cid) return;
    if (message.type !== 'regular' || message.user_id === client.userId) return;
    if (answered.has(message.id)) return;
    const text = replyTo(message.text, random);
    if (text === null) return;
    answered.add(message.id);
    if (answered.size > REMEMBERED) answered.delete(answered.values().next().value!);

    const reply = message.parent_id
      ? channel.sendMessage({ text, parentId: message.parent_id })
      : channel.sendMessage({ text, quotedMessageId: message.id });
    const pending = reply.then(
      () => log.info(`answered ${message.user_id}: ${JSON.stringify(message.text)}`),
      (error: unknown) => {
        // Sending failed (say, the socket dropped): let a redelivery try again.
        answered.delete(message.id);
        log.error(`could not answer ${message.id}:`, error instanceof Error ? error.message : error);
      },
    );
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
  });

  try {
    await channel.watch({ messageLimit: 1 });
  } catch (error) {
    unsubscribe();
    throw error;
  }

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      await Promise.allSettled([...inFlight]);
      await channel.unwatch().catch(() => {});
    },
  };
}
