import { ChatClient, type WebSocketConstructor } from '@chat/core';
import { mount } from '@vue/test-utils';
import { inject } from 'vitest';
import { defineComponent, h } from 'vue';
// jsdom's WebSocket runs on undici, which under vitest dispatches Events of the other realm and
// throws; `ws` (the server's own socket library) has no such tie to the global Event.
import WebSocket from 'ws';
import { createChat } from '../src/chat-context';

/** Each test file gets its own users (one server serves the whole run). */
const run = Math.random().toString(36).slice(2, 8);

/** A client of the test application (see global-setup.ts), not connected yet. */
export function newClient(): ChatClient {
  const { url, apiKey } = inject('chatServer');
  return new ChatClient({
    apiKey,
    baseUrl: url,
    env: { WebSocket: WebSocket as unknown as WebSocketConstructor },
  });
}

/** The user id of `name` in this test file. */
export const userId = (name: string) => `${name}-${run}`;

/** A client connected as a newly registered user `name` (the real password-login path). */
export async function connectUser(name: string): Promise<ChatClient> {
  const client = newClient();
  await client.auth.register({ username: userId(name), password: 'correct horse battery', name });
  return client;
}

/**
 * Runs `composable` in the setup of a mounted component with `client` installed by the plugin,
 * the way an app uses it. `unmount()` disposes the component's scope.
 */
export function mountComposable<T>(client: ChatClient, composable: () => T) {
  let result: T | undefined;
  const Host = defineComponent({
    setup() {
      result = composable();
      return () => h('div');
    },
  });
  const wrapper = mount(Host, { global: { plugins: [createChat({ client })] } });
  return { result: result as T, unmount: () => wrapper.unmount() };
}
