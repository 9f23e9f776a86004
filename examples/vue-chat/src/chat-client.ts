import { ChatClient } from '@chat/core';

/**
 * The one client of the app. The reference server serves this app from its own origin, so the
 * page's origin is the API too; `VITE_CHAT_URL` points elsewhere (e.g. a deployed server).
 */
export function createChatClient(): ChatClient {
  return new ChatClient({
    apiKey: import.meta.env.VITE_CHAT_API_KEY || 'demo',
    baseUrl: import.meta.env.VITE_CHAT_URL || window.location.origin,
  });
}
