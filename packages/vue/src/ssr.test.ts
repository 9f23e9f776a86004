// @vitest-environment node
import { ChatClient } from '@chat/core';
import { describe, expect, it, vi } from 'vitest';
import { createSSRApp, defineComponent, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createChat } from './chat-context';
import { useChannel } from './use-channel';
import { useChannelMute } from './use-channel-mute';
import { useChannels } from './use-channels';
import { useConnectionState } from './use-connection-state';
import { useMessages } from './use-messages';
import { usePushPreferences } from './use-push-preferences';
import { useThread } from './use-thread';

describe('outside a browser', () => {
  it('imports the built package with no window or document', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const vue = await import('@chat/vue');
    expect(Object.keys(vue)).toEqual(
      expect.arrayContaining(['createChat', 'provideChat', 'useChat', 'useChannel', 'useMessages']),
    );
  });

  it('renders the current snapshots, and subscribes, watches and loads nothing', async () => {
    const client = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });
    const channel = client.channel('team', 'general');
    const subscribe = vi.spyOn(client.connection, 'subscribe');
    const subscribeChannel = vi.spyOn(channel.state, 'subscribe');
    const retainWatch = vi.spyOn(channel, 'retainWatch');
    const getReplies = vi.spyOn(channel, 'getReplies');
    const query = vi.spyOn(client.channels, 'query');
    const subscribeUser = vi.spyOn(client.user, 'subscribe');
    const preferences = vi.spyOn(client.devices, 'preferences');
    const App = defineComponent({
      setup() {
        const connection = useConnectionState();
        const { channel, state } = useChannel('team', 'general');
        const { messages } = useMessages(channel);
        const { replies } = useThread(channel, 'parent');
        const { channels } = useChannels();
        const { muted } = useChannelMute(channel);
        const push = usePushPreferences();
        return () =>
          h('p', [
            connection.value.status,
            state.value.cid,
            messages.value.length,
            replies.value.length,
            channels.value.length,
            String(muted.value),
            push.preferences.value?.level ?? 'unknown',
          ]);
      },
    });
    const html = await renderToString(createSSRApp(App).use(createChat({ client })));
    expect(html).toBe('<p>idleteam:general000falseunknown</p>');
    expect(subscribe).not.toHaveBeenCalled();
    expect(subscribeChannel).not.toHaveBeenCalled();
    expect(retainWatch).not.toHaveBeenCalled();
    expect(getReplies).not.toHaveBeenCalled();
    expect(query).not.toHaveBeenCalled();
    expect(subscribeUser).not.toHaveBeenCalled();
    expect(preferences).not.toHaveBeenCalled();
  });
});
