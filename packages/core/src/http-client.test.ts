import { type ErrorBody, type ErrorCode, makeError } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { resolveEnvironment } from './environment';
import {
  AuthError,
  type ChatError,
  NetworkError,
  PermissionError,
  RateLimitError,
  ServerError,
  ValidationError,
} from './errors';
import { HttpClient, type HttpClientOptions } from './http-client';
import { TokenManager, type TokenSource } from './token-manager';

type Reply = Response | Error | ((init: RequestInit) => Promise<Response>);

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const failure = (code: ErrorCode, details?: ErrorBody['details'], headers?: Record<string, string>) => {
  const error = makeError(code, `server says ${code}`, details);
  return json(error.status, { error }, headers);
};
const me = { user: { id: 'alice' } };

/** A fetch that answers with the scripted replies in order and records each call. */
function setup(replies: Reply[], options: { token?: TokenSource } & Partial<HttpClientOptions> = {}) {
  const calls: { url: string; init: RequestInit; at: number }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init, at: Date.now() });
    const reply = replies.shift();
    if (!reply) throw new Error(`unexpected call to ${url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(init) : reply;
  });
  const tokens = new TokenManager(options.token ?? 'token-1');
  const http = new HttpClient({
    baseUrl: 'https://chat.test/',
    apiKey: 'app-key',
    env: resolveEnvironment({ fetch, random: () => 0.5 }),
    tokens,
    ...options,
  });
  const headers = (index: number) => new Headers(calls[index]!.init.headers);
  return { http, calls, headers, tokens };
}

/** A fetch reply that never answers, except by failing when its request is aborted. */
const hang = (init: RequestInit) =>
  new Promise<Response>((_, reject) => {
    init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HttpClient', () => {
  describe('requests', () => {
    it('builds the URL from the endpoint table, with params, query, api key and token', async () => {
      const { http, calls, headers } = setup([json(200, { messages: [], has_more: false })]);
      const result = await http.request('listMessages', {
        params: { type: 'messaging', id: 'general' },
        query: { limit: 20 },
      });
      expect(result).toEqual({ messages: [], has_more: false });
      expect(calls[0]!.url).toBe('https://chat.test/v1/channels/messaging/general/messages?limit=20');
      expect(calls[0]!.init.method).toBe('GET');
      expect(headers(0).get('x-api-key')).toBe('app-key');
      expect(headers(0).get('authorization')).toBe('Bearer token-1');
      expect(calls[0]!.init.body).toBeUndefined();
    });

    it('sends a JSON body, and encodes path parameters', async () => {
      const { http, calls, headers } = setup([json(201, { message: {} })]);
      const body = { client_msg_id: 'c-1', text: 'hi' };
      await http.request('sendMessage', { params: { type: 'messaging', id: 'a b/c' }, body });
      expect(calls[0]!.url).toBe('https://chat.test/v1/channels/messaging/a%20b%2Fc/messages');
      expect(calls[0]!.init.method).toBe('POST');
      expect(JSON.parse(calls[0]!.init.body as string)).toEqual(body);
      expect(headers(0).get('content-type')).toBe('application/json');
    });

    it('sends no token to public endpoints', async () => {
      const { http, headers } = setup([json(200, { access_token: 'a' })]);
      await http.request('login', { body: { username: 'alice', password: 'correct horse' } });
      expect(headers(0).get('authorization')).toBeNull();
      expect(headers(0).get('x-api-key')).toBe('app-key');
    });

    it('fails with an AuthError, without calling, when a user endpoint has no token', async () => {
      const { http, calls, tokens } = setup([]);
      tokens.setSource(undefined);
      await expect(http.request('getMe')).rejects.toBeInstanceOf(AuthError);
      expect(calls).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('retries a 5xx after a jittered backoff, then succeeds', async () => {
      const { http, calls } = setup([failure('unavailable'), json(200, me)]);
      const result = http.request('getMe');
      await vi.advanceTimersByTimeAsync(149);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1); // 300 ms base × random 0.5
      await expect(result).resolves.toEqual(me);
      expect(calls).toHaveLength(2);
    });

    it("waits exactly a 429's retry_after_ms", async () => {
      const { http, calls } = setup([failure('rate_limited', { retry_after_ms: 2_000 }), json(200, me)]);
      const result = http.request('getMe');
      await vi.advanceTimersByTimeAsync(1_999);
      expect(calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toEqual(me);
      expect(calls[1]!.at - calls[0]!.at).toBe(2_000);
    });

    it('falls back to the Retry-After header', async () => {
      const { http, calls } = setup([json(429, 'slow down', { 'retry-after': '3' }), json(200, me)]);
      const result = http.request('getMe');
      await vi.advanceTimersByTimeAsync(3_000);
      await expect(result).resolves.toEqual(me);
      expect(calls[1]!.at - calls[0]!.at).toBe(3_000);
    });

    it('gives up at once when a 429 asks to wait longer than maxRetryAfterMs', async () => {
      const { http, calls } = setup([failure('rate_limited', { retry_after_ms: 120_000 })]);
      const error = await http.request('getMe').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfterMs).toBe(120_000);
      expect(calls).toHaveLength(1);
    });

    it('surfaces a NetworkError carrying the cause after the last attempt', async () => {
      const cause = new TypeError('fetch failed');
      const { http, calls } = setup([cause, cause, cause]);
      const outcome = http.request('getMe').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(10_000);
      const error = await outcome;
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).toMatchObject({ code: 'network_error', retryable: true, cause });
      expect(calls).toHaveLength(3);
    });

    it('does not retry a 400: ValidationError at once, with the issues', async () => {
      const issues = [{ path: ['text'], message: 'Too long' }];
      const { http, calls } = setup([failure('validation_failed', { issues })]);
      const error = await http.request('getMe').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details?.issues).toEqual(issues);
      expect((error as ChatError).cause).toBeInstanceOf(Response);
      expect(calls).toHaveLength(1);
    });

    it('does not retry a 403', async () => {
      const { http, calls } = setup([failure('channel_frozen')]);
      await expect(http.request('getMe')).rejects.toBeInstanceOf(PermissionError);
      expect(calls).toHaveLength(1);
    });

    it('never repeats a non-idempotent call after a failure of unknown effect', async () => {
      const { http, calls } = setup([failure('unavailable'), new TypeError('reset')]);
      const params = { type: 'messaging', id: 'general' } as const;
      await expect(
        http.request('addMembers', { params, body: { user_ids: ['bob'] } }),
      ).rejects.toBeInstanceOf(ServerError);
      await expect(http.request('freezeChannel', { params })).rejects.toBeInstanceOf(NetworkError);
      expect(calls).toHaveLength(2);
    });

    it('retries a message send: its client_msg_id makes it idempotent', async () => {
      const { http, calls } = setup([new TypeError('reset'), json(201, { message: { id: 'm1' } })]);
      const result = http.request('sendMessage', {
        params: { type: 'messaging', id: 'general' },
        body: { client_msg_id: 'c-1', text: 'hi' },
      });
      await vi.advanceTimersByTimeAsync(150);
      await expect(result).resolves.toEqual({ message: { id: 'm1' } });
      expect(calls.map((c) => c.init.body)).toEqual([calls[0]!.init.body, calls[0]!.init.body]);
    });

    it('retries createChannel: the server treats it as get-or-create', async () => {
      const { http, calls } = setup([new TypeError('reset'), json(200, { channel: {} })]);
      const result = http.request('createChannel', { body: { type: 'messaging', id: 'general' } });
      await vi.advanceTimersByTimeAsync(150);
      await expect(result).resolves.toEqual({ channel: {} });
      expect(calls).toHaveLength(2);
    });

    it('lets the caller mark a call idempotent', async () => {
      const { http, calls } = setup([failure('internal'), json(200, { channel: {} })]);
      const result = http.request(
        'freezeChannel',
        { params: { type: 'messaging', id: 'x' } },
        { idempotent: true },
      );
      await vi.advanceTimersByTimeAsync(150);
      await expect(result).resolves.toEqual({ channel: {} });
      expect(calls).toHaveLength(2);
    });

    it("treats a proxy's non-JSON 502 as a retryable ServerError", async () => {
      const html = () => new Response('<html>Bad gateway</html>', { status: 502 });
      const { http, calls } = setup([html(), html(), html()]);
      const outcome = http.request('getMe').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await outcome).toMatchObject({ name: 'ServerError', code: 'unavailable', status: 502 });
      expect(calls).toHaveLength(3);
    });
  });

  describe('expired tokens', () => {
    it('refreshes once and repeats the call, even a non-idempotent one', async () => {
      const provider = vi.fn().mockResolvedValueOnce('old').mockResolvedValueOnce('new');
      const { http, headers } = setup([failure('token_expired'), json(200, { channel: {} })], {
        token: provider,
      });
      await http.request('freezeChannel', { params: { type: 'messaging', id: 'x' } });
      expect(headers(0).get('authorization')).toBe('Bearer old');
      expect(headers(1).get('authorization')).toBe('Bearer new');
      expect(provider).toHaveBeenCalledTimes(2);
    });

    it('surfaces an AuthError when the refreshed token is refused too', async () => {
      const provider = vi.fn().mockResolvedValueOnce('old').mockResolvedValueOnce('new');
      const { http, calls } = setup([failure('token_expired'), failure('token_expired')], {
        token: provider,
      });
      const error = await http.request('getMe').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: 'token_expired' });
      expect(calls).toHaveLength(2);
      expect(provider).toHaveBeenCalledTimes(2);
    });

    it('surfaces an AuthError for an expired fixed token', async () => {
      const { http, calls } = setup([failure('token_expired')], { token: 'fixed' });
      await expect(http.request('getMe')).rejects.toBeInstanceOf(AuthError);
      expect(calls).toHaveLength(1);
    });
  });

  describe('time limits and aborts', () => {
    it('fails a call that gets no answer within timeoutMs with a NetworkError', async () => {
      const { http } = setup([hang], { timeoutMs: 5_000, retry: { attempts: 1 } });
      const outcome = http.request('getMe').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await outcome).toMatchObject({ name: 'NetworkError', code: 'timeout', retryable: true });
    });

    it('stops at once, without retrying, when the caller aborts', async () => {
      const { http, calls } = setup([hang]);
      const controller = new AbortController();
      const outcome = http.request('getMe', {}, { signal: controller.signal }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(10);
      controller.abort();
      expect(await outcome).toMatchObject({ name: 'NetworkError', code: 'aborted', retryable: false });
      expect(calls).toHaveLength(1);
    });

    it('reports a success answer that is not JSON', async () => {
      const { http } = setup([new Response('<html>', { status: 200 })]);
      await expect(http.request('getMe')).rejects.toMatchObject({ code: 'invalid_response' });
    });
  });

  it('is typed by the protocol: inputs and responses (checked by tsc)', () => {
    const { http } = setup([]);
    const neverCalled = () => {
      // @ts-expect-error a channel endpoint needs its path parameters
      void http.request('listMessages');
      // @ts-expect-error a message needs its client_msg_id
      void http.request('sendMessage', { params: { type: 'messaging', id: 'x' }, body: { text: 'hi' } });
      // @ts-expect-error getMe takes no body
      void http.request('getMe', { body: {} });
      // @ts-expect-error unknown endpoint
      void http.request('getEverything');
      expectTypeOf(http.request('getMe')).resolves.toHaveProperty('user');
      expectTypeOf(http.request('listMessages', { params: { type: 'team', id: 'x' } }))
        .resolves.toHaveProperty('has_more')
        .toEqualTypeOf<boolean>();
    };
    expect(neverCalled).toBeTypeOf('function');
  });
});
