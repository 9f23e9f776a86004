import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { resolveEnvironment } from './environment';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('environment', () => {
  it('importing the SDK reads no browser global (safe for SSR and React Native)', async () => {
    const touched: string[] = [];
    for (const name of ['window', 'document', 'navigator', 'WebSocket', 'fetch', 'addEventListener']) {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          return descriptor?.get ? descriptor.get.call(globalThis) : descriptor?.value;
        },
      });
      onTestFinished(() => {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else delete (globalThis as Record<string, unknown>)[name];
      });
    }
    vi.resetModules();
    const sdk = await import('./index');
    const client = new sdk.ChatClient({ apiKey: 'k', baseUrl: 'https://chat.test' });
    expect(client.connection.getSnapshot().status).toBe('idle');
    expect(touched).toEqual([]);
  });

  it('uses the global fetch and WebSocket present when called, not when resolved', async () => {
    const env = resolveEnvironment();
    const fetch = vi.fn(async () => new Response('{}'));
    class LateWebSocket {
      constructor(readonly url: string) {}
    }
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('WebSocket', LateWebSocket);
    await env.fetch('https://chat.test/x');
    expect(fetch).toHaveBeenCalledWith('https://chat.test/x', undefined);
    expect(env.createWebSocket('ws://chat.test')).toBeInstanceOf(LateWebSocket);
  });

  it('names the missing global when a host lacks one', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => resolveEnvironment().createWebSocket('ws://x')).toThrow(/env\.WebSocket/);
  });

  it('reads online/offline and visibility from the browser globals when present', () => {
    const listeners = new Map<string, () => void>();
    vi.stubGlobal('navigator', { onLine: false });
    vi.stubGlobal('addEventListener', (type: string, listener: () => void) => listeners.set(type, listener));
    vi.stubGlobal('removeEventListener', (type: string) => listeners.delete(type));
    vi.stubGlobal('document', {
      visibilityState: 'hidden',
      addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
      removeEventListener: (type: string) => listeners.delete(type),
    });
    const env = resolveEnvironment();
    expect(env.online.current()).toBe(false);
    expect(env.visible.current()).toBe(false);
    const seen: boolean[] = [];
    const stop = env.online.subscribe((up) => seen.push(up));
    listeners.get('online')!();
    listeners.get('offline')!();
    expect(seen).toEqual([true, false]);
    stop();
    expect(listeners.has('online')).toBe(false);
  });

  it('assumes online and visible on hosts without those globals (Node, React Native)', () => {
    vi.stubGlobal('navigator', undefined);
    vi.stubGlobal('document', undefined);
    vi.stubGlobal('addEventListener', undefined);
    const env = resolveEnvironment();
    expect(env.online.current()).toBe(true);
    expect(env.visible.current()).toBe(true);
    expect(() => env.online.subscribe(() => {})()).not.toThrow();
  });
});
