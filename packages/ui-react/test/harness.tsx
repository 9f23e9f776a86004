import { type Channel as ChannelHandle, ChatClient, type ReadableStore } from '@chat/core';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { inject } from 'vitest';
import { Channel } from '../src/components/channel';
import { ChannelHeader } from '../src/components/channel-header';
import { ChannelList } from '../src/components/channel-list';
import { Chat, type ChatProps } from '../src/components/chat';
import { MessageInput } from '../src/components/message-input/message-input';
import { MessageList } from '../src/components/message-list/message-list';
import { Thread } from '../src/components/thread';
import { TypingIndicator } from '../src/components/typing-indicator';
import type { Attachment } from '../src/core-types';

/** Each test file gets its own users: one server serves the whole run. */
const run = Math.random().toString(36).slice(2, 8);

/** The user id of `name` in this test file. */
export const userId = (name: string) => `${name}-${run}`;

/** A client of the test application (see global-setup.ts), not connected. */
export function newClient(): ChatClient {
  const { url, apiKey } = inject('chatServer');
  return new ChatClient({ apiKey, baseUrl: url });
}

/** A client connected as the newly registered user `name` (display name: `name` capitalised). */
export async function connectUser(name: string): Promise<ChatClient> {
  const client = newClient();
  const display = name[0]!.toUpperCase() + name.slice(1);
  await client.auth.register({ username: userId(name), password: 'correct horse battery', name: display });
  return client;
}

/** Another session of the already registered user `name` (a second device). */
export async function connectAgain(name: string): Promise<ChatClient> {
  const client = newClient();
  await client.auth.login({ username: userId(name), password: 'correct horse battery' });
  return client;
}

let channels = 0;

/** A new channel of `owner` with these members (by name), named `name`. */
export async function newChannel(owner: ChatClient, name: string, members: string[]): Promise<ChannelHandle> {
  channels += 1;
  return owner.channels.create({
    type: 'messaging',
    id: `${name.toLowerCase().replace(/\W+/g, '-')}-${channels}-${run}`,
    members: members.map(userId),
    name,
  });
}

/**
 * Posts a message over REST, as another client (or a backend) would: no socket write budget, and
 * the only way to attach files. Resolves with the stored message.
 */
export async function postMessage(
  client: ChatClient,
  channel: ChannelHandle,
  body: { text?: string; attachments?: Attachment[]; parent_id?: string },
) {
  const { message } = await client.http.request('sendMessage', {
    params: { type: channel.type, id: channel.id },
    body: { client_msg_id: crypto.randomUUID(), ...body },
  });
  return message;
}

/** The full kit on one channel: header, list, typing, input, thread. */
export function FullChannel({ cid }: { cid?: string }) {
  return (
    <Channel {...(cid && { cid })}>
      <ChannelHeader />
      <MessageList />
      <TypingIndicator />
      <MessageInput />
      <Thread />
    </Channel>
  );
}

/** Renders `children` (default: the full kit on `cid`) inside `<Chat client>`. */
export function renderChat(
  client: ChatClient,
  options: { cid?: string; children?: ReactNode; withList?: boolean } & Omit<
    ChatProps,
    'client' | 'children'
  > = {},
) {
  const { cid, children, withList, ...props } = options;
  return render(
    <Chat client={client} {...props}>
      {withList && <ChannelList />}
      {children ?? <FullChannel {...(cid && { cid })} />}
    </Chat>,
  );
}

/** Resolves once `predicate` holds for the store's value. */
export function until<T>(store: ReadableStore<T>, predicate: (value: T) => boolean, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getSnapshot())) return resolve(store.getSnapshot());
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Timed out; last value: ${JSON.stringify(store.getSnapshot()).slice(0, 300)}`));
    }, ms);
    const stop = store.subscribe(() => {
      if (!predicate(store.getSnapshot())) return;
      clearTimeout(timer);
      stop();
      resolve(store.getSnapshot());
    });
  });
}
