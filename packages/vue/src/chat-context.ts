import type { ChatClient } from '@chat/core';
import { type App, type InjectionKey, inject, provide } from 'vue';

const CHAT_CLIENT: InjectionKey<ChatClient> = Symbol('@chat/vue client');

/** What `createChat` returns: a Vue plugin that provides the client to the whole app. */
export interface ChatPlugin {
  readonly client: ChatClient;
  install(app: App): void;
}

/**
 * The plugin that makes `client` available to every composable of the app.
 *
 * @example
 * const client = new ChatClient({ apiKey, baseUrl });
 * createApp(App).use(createChat({ client })).mount('#app');
 */
export function createChat(options: { client: ChatClient }): ChatPlugin {
  const { client } = options;
  return { client, install: (app) => void app.provide(CHAT_CLIENT, client) };
}

/**
 * Provides `client` to this component's descendants (instead of the plugin, or to override it
 * in a subtree). Call it in `setup`.
 *
 * @example
 * provideChat(new ChatClient({ apiKey, baseUrl }));
 */
export function provideChat(client: ChatClient): void {
  provide(CHAT_CLIENT, client);
}

/** The provided client; throws when neither `createChat` nor `provideChat` provided one. */
export function injectChatClient(): ChatClient {
  const client = inject(CHAT_CLIENT, null);
  if (!client)
    throw new Error('@chat/vue: no ChatClient; install createChat({ client }) or call provideChat(client)');
  return client;
}
