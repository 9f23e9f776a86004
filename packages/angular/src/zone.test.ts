import { NgZone } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ChatClient, createStore } from '@chat/core';
import { describe, expect, it, vi } from 'vitest';
import { ChatService } from './chat.service';
import { consumerScope } from './consumer-scope';
import { provideChat } from './provide-chat';
import { storeSignal } from './store-bridge';

/** An NgZone stand-in that tells whether code runs outside Angular's zone. */
class RecordingZone {
  outside = false;
  runOutsideAngular<T>(fn: () => T): T {
    this.outside = true;
    try {
      return fn();
    } finally {
      this.outside = false;
    }
  }
}

describe('with zone.js', () => {
  it('subscribes to stores and opens the socket outside the Angular zone', async () => {
    const zone = new RecordingZone();
    const client = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });
    const connect = vi.spyOn(client, 'connect').mockImplementation(async () => {
      expect(zone.outside).toBe(true);
      return { id: 'alice' } as Awaited<ReturnType<ChatClient['connect']>>;
    });
    TestBed.configureTestingModule({
      providers: [provideChat({ client }), { provide: NgZone, useValue: zone }],
    });

    const store = createStore(1);
    const subscribe = vi.spyOn(store, 'subscribe').mockImplementation(() => {
      expect(zone.outside).toBe(true);
      return () => {};
    });
    const value = TestBed.runInInjectionContext(() => storeSignal(store, consumerScope()));
    expect(value()).toBe(1);
    expect(subscribe).toHaveBeenCalledOnce();

    await TestBed.inject(ChatService).connect({ id: 'alice' }, 'token');
    expect(connect).toHaveBeenCalledOnce();
  });
});
