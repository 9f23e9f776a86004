import { InjectionToken } from '@angular/core';
import type { ChatClient, ChatClientOptions } from '@chat/core';

/**
 * What `provideChat` takes: the client's options (the adapter builds the client and disconnects
 * it when the app is destroyed), or a client the app built and owns.
 */
export type ChatConfig = ChatClientOptions | { client: ChatClient };

/** The `ChatClient` of the app; `ChatService.client` is the usual way to reach it. */
export const CHAT_CLIENT = new InjectionToken<ChatClient>('CHAT_CLIENT');
