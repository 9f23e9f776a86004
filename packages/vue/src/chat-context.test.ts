import { ChatClient } from '@chat/core';
import { mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { createChat, provideChat } from './chat-context';
import { useChat } from './use-chat';

const newClient = () => new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });

/** A component that reports the client its composables see. */
function reporter(seen: { client?: ChatClient }) {
  return defineComponent({
    setup() {
      seen.client = useChat().client;
      return () => h('span');
    },
  });
}

describe('providing the client', () => {
  it('createChat installs it app-wide', () => {
    const client = newClient();
    const seen: { client?: ChatClient } = {};
    const plugin = createChat({ client });
    mount(reporter(seen), { global: { plugins: [plugin] } });
    expect(plugin.client).toBe(client);
    expect(seen.client).toBe(client);
  });

  it('provideChat gives a subtree its own client', () => {
    const outer = newClient();
    const inner = newClient();
    const seen: { client?: ChatClient } = {};
    const Child = reporter(seen);
    const Parent = defineComponent({
      setup() {
        provideChat(inner);
        return () => h(Child);
      },
    });
    mount(Parent, { global: { plugins: [createChat({ client: outer })] } });
    expect(seen.client).toBe(inner);
  });

  it('says what is missing when no client was provided', () => {
    // Vue also warns that the failed component has no render function; that is expected here.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => mount(reporter({}))).toThrow(/createChat\(\{ client \}\)/);
  });
});
