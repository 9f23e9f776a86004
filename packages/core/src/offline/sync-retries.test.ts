import { type ErrorCode, makeError } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { message } from '../../test/channel-fixtures';
import type { Channel } from '../channel';
import { Channels } from '../channels';
import type { ConnectionManager } from '../connection/connection-manager';
import type { ConnectionState } from '../connection/connection-state';
import type { RequestFrame } from '../connection/socket';
import { resolveEnvironment } from '../environment';
import { NetworkError, toChatError } from '../errors';
import type { HttpClient } from '../http-client';
import type { LocalMessage } from '../state/types';
import { createStore } from '../store';
import { createMemoryStorage } from './memory-storage';
import { OfflineSync } from './offline-sync';
import type { QueueOperation } from './storage-adapter';
import { SyncQueue } from './sync-queue';
import { DEFAULT_SYNC_RETRY, type SyncRetryOptions, syncRetryDelay } from './sync-retry';

const GENERAL = 'messaging:general';
const OTHER = 'messaging:other';

/** The error the server sends for `code`, as the SDK raises it. */
const serverError = (code: ErrorCode, retryAfterMs?: number) =>
  toChatError(
    makeError(code, code, retryAfterMs === undefined ? undefined : { retry_after_ms: retryAfterMs }),
  );

type SendFrame = Extract<RequestFrame, { type: 'message.send' }>;
type Answer = (frame: SendFrame) => unknown;

/**
 * A user's sync over a fake connection whose server is `answer` (by default it stores every
 * send). `accepted` lists the texts the server stored, in the order it stored them.
 */
function setup(options: { retry?: Partial<SyncRetryOptions>; random?: number } = {}) {
  const state = createStore<ConnectionState>({ status: 'connected', attempt: 0 });
  const accepted: string[] = [];
  let seq = 0;
  const store: Answer = (frame) => {
    accepted.push(frame.message.text ?? '');
    seq++;
    const { client_msg_id, text } = frame.message;
    return {
      message: message(seq, { id: `s${seq}`, cid: frame.cid, client_msg_id, text, user_id: 'alice' }),
    };
  };
  const server = { answer: store };
  const request = vi.fn(async (frame: SendFrame) => server.answer(frame));
  const connection = { request, state } as unknown as ConnectionManager;
  let uuid = 0;
  const env = resolveEnvironment({ randomUUID: () => `uuid-${++uuid}`, random: () => options.random ?? 0.5 });
  let sync: OfflineSync | undefined;
  const channels = new Channels({
    connection,
    http: {} as HttpClient,
    env,
    userId: () => 'alice',
    sync: () => sync?.writes,
    onHandle: (channel) => sync?.track(channel),
  });
  const storage = createMemoryStorage();
  sync = new OfflineSync({
    storage,
    connection,
    clock: env.clock,
    random: env.random,
    retry: options.retry,
    channel: (cid) => channels.byCid(cid),
    hydrate: (cached) => channels.hydrate(cached),
    hydrateMessages: (cached) => channels.hydrateMessages(cached),
  });
  /** Makes the server refuse sends with `error` while `when` holds (default: always), storing the others. */
  const refuse = (error: unknown, when: (frame: SendFrame) => boolean = () => true) => {
    server.answer = (frame) => {
      if (when(frame)) throw error;
      return store(frame);
    };
  };
  const recover = () => {
    server.answer = store;
  };
  return {
    sync,
    request,
    state,
    accepted,
    storage,
    refuse,
    recover,
    server,
    store,
    general: channels.byCid(GENERAL),
    other: channels.byCid(OTHER),
  };
}

const statusOf = (channel: Channel, text: string) =>
  channel.state.getSnapshot().messages.find((m) => m.text === text)?.status;
const statuses = (channel: Channel) =>
  channel.state.getSnapshot().messages.map((m) => `${m.text}:${m.status}`);
/** Sends without an unhandled rejection; the outcome shows on the message. */
const quietly = (sending: Promise<LocalMessage>) => {
  sending.catch(() => {});
  return sending;
};
const waitingOf = (channel: Channel) =>
  channel.pendingWrites.getSnapshot().map((item) => ({ status: item.status, retry_at: item.retry_at }));

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('sync queue retries', () => {
  it('retries on its timer: the queue drains once the server recovers, with no new write and no reconnect', async () => {
    const { general, refuse, recover, request, accepted } = setup();
    refuse(serverError('unavailable'));
    const sending = quietly(general.sendMessage({ text: 'during the outage' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(request).toHaveBeenCalledTimes(1);
    // Shown as waiting (not lost, not failed): still `sending`, its queue item has a retry time.
    expect(statusOf(general, 'during the outage')).toBe('sending');
    const [waiting] = general.pendingWrites.getSnapshot();
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, error: { code: 'unavailable' } });
    expect(waiting?.retry_at).toBeGreaterThan(Date.now());

    recover();
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(sending).resolves.toMatchObject({ status: 'sent', text: 'during the outage' });
    expect(accepted).toEqual(['during the outage']);
    expect(general.pendingWrites.getSnapshot()).toEqual([]);
  });

  it('loses nothing in a 5 s outage: 11 messages sent during it all go, in order, once it is over', async () => {
    const { general, refuse, recover, request, accepted } = setup();
    refuse(serverError('unavailable'));
    const texts = Array.from({ length: 11 }, (_, index) => `outage ${index + 1}`);
    const sends = [];
    for (const text of texts) {
      sends.push(quietly(general.sendMessage({ text })));
      await vi.advanceTimersByTimeAsync(450);
    }
    // Only the first message was tried, on its own backoff, not once per new message.
    expect(request.mock.calls.length).toBeLessThanOrEqual(4);
    expect(general.state.getSnapshot().messages.every((m) => m.status === 'sending')).toBe(true);
    recover();
    await vi.advanceTimersByTimeAsync(DEFAULT_SYNC_RETRY.maxMs);
    expect((await Promise.all(sends)).map((m) => m.status)).toEqual(texts.map(() => 'sent'));
    expect(accepted).toEqual(texts);
  });

  it('backs off exponentially with full jitter: each wait is below a ceiling that doubles up to maxMs', () => {
    const options = { ...DEFAULT_SYNC_RETRY, baseMs: 1_000, maxMs: 30_000 };
    const ceilings = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    expect(DEFAULT_SYNC_RETRY).toMatchObject({ baseMs: 1_000, maxMs: 5_000 });
    ceilings.forEach((ceiling, index) => {
      const attempts = index + 1;
      const network = new NetworkError({ message: 'down' });
      expect(syncRetryDelay(attempts, network, options, () => 0)).toBe(0);
      expect(syncRetryDelay(attempts, network, options, () => 0.5)).toBe(ceiling / 2);
      expect(syncRetryDelay(attempts, network, options, () => 0.999_999)).toBeLessThan(ceiling);
    });
    // After very many attempts the wait stays finite and capped.
    expect(syncRetryDelay(10_000, new NetworkError({ message: 'down' }), options, () => 0.999)).toBe(29_970);
  });

  it('grows the wait between attempts of one write while the outage lasts', async () => {
    const { general, request } = setup({ random: 0.999 });
    const times: number[] = [];
    request.mockImplementation(async () => {
      times.push(Date.now());
      throw serverError('internal');
    });
    quietly(general.sendMessage({ text: 'hello' }));
    await vi.advanceTimersByTimeAsync(120_000);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(gaps.slice(0, 4)).toEqual([999, 1_998, 3_996, 4_995]);
    expect(new Set(gaps.slice(3))).toEqual(new Set([4_995]));
    expect(statusOf(general, 'hello')).toBe('sending');
  });

  it.each([
    ['rate_limited', serverError('rate_limited', 5_000)],
    ['unavailable', serverError('unavailable', 5_000)],
  ])('honours the retry_after_ms of %s: never sooner, at most a tenth later', async (_code, error) => {
    const { general, refuse, recover, request } = setup({ random: 0.999 });
    refuse(error);
    const sending = quietly(general.sendMessage({ text: 'hello' }));
    await vi.advanceTimersByTimeAsync(0);
    recover();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(request).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(501);
    expect(request).toHaveBeenCalledTimes(2);
    await expect(sending).resolves.toMatchObject({ status: 'sent' });
  });

  it.each<[string, unknown]>([
    ['a network error', new NetworkError({ message: 'reset' })],
    ['a timeout', new NetworkError({ code: 'timeout', message: 'slow' })],
    [
      'a request cut off by a disconnect',
      new NetworkError({ code: 'not_connected', retryable: false, message: 'x' }),
    ],
    ['internal', serverError('internal')],
    ['unavailable', serverError('unavailable')],
    ['rate_limited', serverError('rate_limited', 1_000)],
    ['request_timeout', serverError('request_timeout')],
    ['token_expired', serverError('token_expired')],
  ])('waits and retries after %s', async (_name, error) => {
    const { general, refuse, recover } = setup();
    refuse(error);
    const sending = quietly(general.sendMessage({ text: 'hello' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(waitingOf(general)).toEqual([{ status: 'pending', retry_at: expect.any(Number) }]);
    recover();
    await vi.advanceTimersByTimeAsync(1_200);
    await expect(sending).resolves.toMatchObject({ status: 'sent' });
  });

  it.each<ErrorCode>([
    'validation_failed',
    'payload_too_large',
    'forbidden',
    'channel_frozen',
    'user_banned',
    'not_found',
    'conflict',
  ])('fails at once on a permanent refusal: %s', async (code) => {
    const { general, refuse, request } = setup();
    refuse(serverError(code));
    const sending = quietly(general.sendMessage({ text: 'hello' }));
    await expect(sending).rejects.toMatchObject({ code });
    expect(statusOf(general, 'hello')).toBe('failed');
    expect(general.pendingWrites.getSnapshot()).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1, error: expect.objectContaining({ code }) }),
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('never fails a write on retryable errors before the horizon, however many attempts; fails it after', async () => {
    const horizonMs = 60 * 60 * 1_000;
    const { general, refuse, request } = setup({ retry: { horizonMs } });
    const start = Date.now();
    refuse(serverError('unavailable'));
    const sending = quietly(general.sendMessage({ text: 'hello' }));
    await vi.advanceTimersByTimeAsync(horizonMs - 1);
    expect(request.mock.calls.length).toBeGreaterThan(100);
    expect(statusOf(general, 'hello')).toBe('sending');

    await vi.advanceTimersByTimeAsync(DEFAULT_SYNC_RETRY.maxMs);
    await expect(sending).rejects.toMatchObject({ code: 'unavailable' });
    expect(statusOf(general, 'hello')).toBe('failed');
    const failedAfter = general.pendingWrites.getSnapshot()[0]?.attempts ?? 0;
    expect(failedAfter).toBe(request.mock.calls.length);
    expect(Date.now() - start).toBeGreaterThanOrEqual(horizonMs);
  });

  it('keeps retrying for 24 hours by default', async () => {
    let now = 0;
    const queue = new SyncQueue(createMemoryStorage(), { now: () => now, random: () => 0.5 });
    await queue.add(sendOp(1));
    const down = async () => ({ status: 'retry' as const, error: serverError('unavailable') });
    let attempts = 0;
    for (;;) {
      await queue.flush(down);
      attempts++;
      const [item] = queue.getSnapshot().items;
      if (item?.status === 'failed') break;
      expect(now).toBeLessThan(DEFAULT_SYNC_RETRY.horizonMs);
      now = queue.nextAttemptAt()!;
    }
    expect(DEFAULT_SYNC_RETRY.horizonMs).toBe(24 * 60 * 60 * 1_000);
    expect(now).toBeGreaterThanOrEqual(DEFAULT_SYNC_RETRY.horizonMs);
    expect(attempts).toBeGreaterThan(5_000);
  });

  it('shapes a 20 messages/s burst under the default server limit (60 writes / 10 s): all 300 sent, in order, none failed', async () => {
    const { general, server, store, accepted } = setup({ random: 0.999 });
    const windowMs = 10_000;
    const perWindow = 60;
    const start = Date.now();
    let used = 0;
    let window = 0;
    let refused = 0;
    // A fixed-window limiter, like the reference server's write budget.
    server.answer = (frame) => {
      const now = Date.now();
      const current = Math.floor((now - start) / windowMs);
      if (current !== window) [window, used] = [current, 0];
      if (used === perWindow) {
        refused++;
        throw serverError('rate_limited', start + (window + 1) * windowMs - now);
      }
      used++;
      return store(frame);
    };
    const texts = Array.from({ length: 300 }, (_, index) => `burst ${index + 1}`);
    const sends: Promise<LocalMessage>[] = [];
    for (const text of texts) {
      sends.push(quietly(general.sendMessage({ text })));
      await vi.advanceTimersByTimeAsync(50);
    }
    // The limit allows 300 writes in 5 windows: the queue is done soon after the fifth opens.
    await vi.advanceTimersByTimeAsync(5 * windowMs - (Date.now() - start) + 1_000);
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(accepted).toEqual(texts);
    expect(new Set(statuses(general).map((s) => s.split(':')[1]))).toEqual(new Set(['sent']));
    expect(general.pendingWrites.getSnapshot()).toEqual([]);
    // About one refusal per window: waiting writes are not hammered by the new ones.
    expect(refused).toBeLessThanOrEqual(10);
  });

  it('keeps the order within a channel while another channel goes on', async () => {
    const { general, other, refuse, recover, accepted } = setup();
    refuse(serverError('unavailable'), (frame) => frame.cid === GENERAL);
    quietly(general.sendMessage({ text: 'general 1' }));
    await vi.advanceTimersByTimeAsync(0);
    quietly(general.sendMessage({ text: 'general 2' }));
    quietly(other.sendMessage({ text: 'other 1' }));
    await vi.advanceTimersByTimeAsync(0);
    // The later write of the waiting channel is held back, never tried before the first.
    expect(accepted).toEqual(['other 1']);
    expect(waitingOf(general)).toEqual([
      { status: 'pending', retry_at: expect.any(Number) },
      { status: 'pending', retry_at: undefined },
    ]);
    recover();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(accepted).toEqual(['other 1', 'general 1', 'general 2']);
  });

  it('does not reset the backoff of waiting writes, nor retry them at once, when new writes come', async () => {
    const { general, refuse, recover, request, accepted } = setup({ random: 0.999 });
    refuse(serverError('unavailable'));
    quietly(general.sendMessage({ text: 'first' }));
    // Three failures: the fourth attempt waits 3,996 ms.
    await vi.advanceTimersByTimeAsync(999 + 1_998 + 1);
    expect(request).toHaveBeenCalledTimes(3);
    const [waiting] = general.pendingWrites.getSnapshot();
    expect(waiting).toMatchObject({ attempts: 3 });
    for (let n = 1; n <= 10; n++) {
      quietly(general.sendMessage({ text: `later ${n}` }));
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(request).toHaveBeenCalledTimes(3);
    expect(general.pendingWrites.getSnapshot()[0]).toEqual(waiting);
    recover();
    await vi.advanceTimersByTimeAsync(waiting!.retry_at! - Date.now());
    expect(accepted).toEqual(['first', ...Array.from({ length: 10 }, (_, i) => `later ${i + 1}`)]);
  });

  it('retries waiting writes at once on retryPending, retryMessage or a reconnect, keeping their backoff', async () => {
    const { sync, general, refuse, recover, request, state } = setup();
    refuse(serverError('rate_limited', 30_000));
    const first = quietly(general.sendMessage({ text: 'first' }));
    await vi.advanceTimersByTimeAsync(0);

    await sync.retryPending();
    await vi.advanceTimersByTimeAsync(0);
    expect(request).toHaveBeenCalledTimes(2);
    expect(general.pendingWrites.getSnapshot()[0]).toMatchObject({ attempts: 2 });

    // A reconnect is a real signal: it tries at once too.
    state.setState({ status: 'reconnecting', attempt: 1 });
    state.setState({ status: 'connected', attempt: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(request).toHaveBeenCalledTimes(3);

    // The message's own retry: the UI's "Retry now".
    recover();
    const id = general.state.getSnapshot().messages[0]!.id;
    await expect(general.retryMessage(id)).resolves.toMatchObject({ status: 'sent', text: 'first' });
    await expect(first).resolves.toMatchObject({ status: 'sent' });
    expect(request).toHaveBeenCalledTimes(4);
  });

  it('sends the next write of a channel at once when the waiting one before it is discarded', async () => {
    const { general, refuse, accepted } = setup();
    refuse(serverError('rate_limited', 60_000), (frame) => frame.message.text === 'doomed');
    quietly(general.sendMessage({ text: 'doomed' }));
    await vi.advanceTimersByTimeAsync(0);
    quietly(general.sendMessage({ text: 'next' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(accepted).toEqual([]);
    general.discardMessage(general.state.getSnapshot().messages[0]!.id);
    await vi.advanceTimersByTimeAsync(0);
    expect(accepted).toEqual(['next']);
  });

  it('stops its retry timer when closed', async () => {
    const { sync, general, refuse, request } = setup();
    refuse(serverError('unavailable'));
    quietly(general.sendMessage({ text: 'hello' }));
    await vi.advanceTimersByTimeAsync(0);
    await sync.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(request).toHaveBeenCalledTimes(1);
  });
});

function sendOp(n: number): QueueOperation {
  return { type: 'message.send', cid: GENERAL, message: { client_msg_id: `c-${n}`, text: `message ${n}` } };
}
