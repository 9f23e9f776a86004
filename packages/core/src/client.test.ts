import type { ChatEvent } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSockets } from '../test/fake-websocket';
import { typingStart } from '../test/frames';
import { ChatClient } from './client';
import { ValidationError } from './errors';
import { createMemoryStorage } from './offline/memory-storage';

function setup() {
  const ws = fakeSockets();
  const fetch = vi.fn(async () => new Response(JSON.stringify({ user: { id: 'alice' } }), { status: 200 }));
  const client = new ChatClient({
    apiKey: 'app key',
    baseUrl: 'https://chat.test',
    env: { WebSocket: ws.WebSocket, fetch, random: () => 0.5 },
  });
  return { client, ws, fetch };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ChatClient', () => {
  it('connects anyway when the offline storage hangs, and takes the storage from a per-user factory', async () => {
    const ws = fakeSockets();
    const hanging = createMemoryStorage();
    hanging.getChannels = () => new Promise(() => {});
    const factory = vi.fn(() => hanging);
    const client = new ChatClient({
      apiKey: 'key',
      baseUrl: 'https://chat.test',
      env: { WebSocket: ws.WebSocket, random: () => 0.5 },
      storage: factory,
    });
    const connected = client.connect({ id: 'alice' }, 'alice-token');
    expect(factory).toHaveBeenCalledWith({ apiKey: 'key', userId: 'alice' });
    await flush();
    expect(ws.sockets).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3_000);
    ws.last().authenticate();
    await connected;
    expect(client.connection.getSnapshot().status).toBe('connected');
  });

  it('connects a user over the derived socket URL and reports it in the connection store', async () => {
    const { client, ws } = setup();
    const statuses: string[] = [];
    client.connection.subscribe(() => statuses.push(client.connection.getSnapshot().status));
    const connected = client.connect({ id: 'alice' }, async () => 'alice-token');
    await flush();
    expect(ws.last().url).toBe('wss://chat.test/v1/ws?api_key=app%20key');
    ws.last().authenticate();
    await connected;
    expect(ws.last().lastFrame('auth').token).toBe('alice-token');
    expect(statuses).toEqual(['connecting', 'connected']);
    expect(client.userId).toBe('alice');
  });

  it('delivers typed events and all events to wildcard listeners', async () => {
    const { client, ws } = setup();
    const typing: string[] = [];
    const all: ChatEvent['type'][] = [];
    client.on('typing.start', (event) => typing.push(event.user.id));
    const off = client.on('*', (event) => all.push(event.type));
    void client.connect({ id: 'alice' }, 'alice-token');
    await flush();
    ws.last().authenticate();
    ws.last().push(typingStart());
    off();
    ws.last().push(typingStart(2));
    expect(typing).toEqual(['bob', 'bob']);
    expect(all).toEqual(['connection.ok', 'typing.start']);
  });

  it("calls REST with the connected user's token", async () => {
    const { client, fetch } = setup();
    void client.connect({ id: 'alice' }, 'alice-token');
    await client.http.request('getMe');
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://chat.test/v1/users/me');
    expect(new Headers(init.headers).get('authorization')).toBe('Bearer alice-token');
  });

  it('refuses a second user until the first is disconnected', async () => {
    const { client, ws } = setup();
    void client.connect({ id: 'alice' }, 'alice-token');
    await flush();
    ws.last().authenticate();
    await expect(client.connect({ id: 'bob' }, 'bob-token')).rejects.toBeInstanceOf(ValidationError);
    client.disconnect();
    expect(client.connection.getSnapshot().status).toBe('disconnected');
    expect(client.userId).toBeUndefined();
    const bob = client.connect({ id: 'bob' }, 'bob-token');
    await flush();
    ws.last().authenticate('conn-2');
    await bob;
    expect(ws.last().lastFrame('auth').token).toBe('bob-token');
  });
});
