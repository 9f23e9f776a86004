import { ChatClient, createIndexedDbStorage } from '@chat/core';

/**
 * The app's one client. The reference server serves this app, so the API is on the page's own
 * origin; `VITE_CHAT_URL` points elsewhere (e.g. a deployed server) at build time.
 */
export const API_KEY = import.meta.env.VITE_CHAT_API_KEY ?? 'demo';
export const BASE_URL = import.meta.env.VITE_CHAT_URL ?? window.location.origin;

export function createClient(): ChatClient {
  return new ChatClient({
    apiKey: API_KEY,
    baseUrl: BASE_URL,
    // Offline first: channels and messages come from IndexedDB before the network answers, and
    // writes made offline survive a reload.
    storage: ({ apiKey, userId }) => createIndexedDbStorage({ apiKey, userId }),
  });
}
