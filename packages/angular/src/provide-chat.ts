import { DestroyRef, type EnvironmentProviders, inject, makeEnvironmentProviders } from '@angular/core';
import { ChatClient } from '@chat/core';
import { ChannelService } from './channel.service';
import { ChatService } from './chat.service';
import { CHAT_CLIENT, type ChatConfig } from './chat-config';
import { MessageService } from './message.service';
import { NotificationService } from './notification.service';

/**
 * Provides the chat client and the services (`ChatService`, `ChannelService`, `MessageService`,
 * `NotificationService`) to a standalone app (or a lazy route).
 *
 * @example
 * bootstrapApplication(AppComponent, {
 *   providers: [provideZonelessChangeDetection(), provideChat({ apiKey: 'app-key', baseUrl: 'https://chat.example.com' })],
 * });
 * // or, when reading the config needs DI (e.g. the page's origin):
 * provideChat(() => ({ apiKey: 'app-key', baseUrl: inject(DOCUMENT).location.origin }));
 */
export function provideChat(config: ChatConfig | (() => ChatConfig)): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: CHAT_CLIENT, useFactory: () => clientFor(typeof config === 'function' ? config() : config) },
    ChatService,
    ChannelService,
    MessageService,
    NotificationService,
  ]);
}

function clientFor(config: ChatConfig): ChatClient {
  if ('client' in config) return config.client;
  const client = new ChatClient(config);
  // We built it, so we close it: a destroyed app (or test) leaves no socket behind.
  inject(DestroyRef).onDestroy(() => void client.disconnect());
  return client;
}
