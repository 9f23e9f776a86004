// @vitest-environment node
import { describe, expect, it } from 'vitest';

describe('importing @chat/angular on a server', () => {
  it('reads no browser global', async () => {
    // Plain Node: any `window` or `document` read at import would throw a ReferenceError.
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const api = await import('./index');
    expect(Object.keys(api).sort()).toEqual([
      'CHAT_CLIENT',
      'ChannelService',
      'ChatService',
      'MessageService',
      'NotificationService',
      'provideChat',
    ]);
  });
});
