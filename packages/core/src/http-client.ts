import type { EndpointName, EndpointResponse, ErrorBody, endpoints } from '@chat/protocol';
import { CLIENT_ROUTES, type ClientRouteName } from '@chat/protocol/constants';
import type { z } from 'zod';
import type { Environment } from './environment';
import { AuthError, ChatError, errorBodyForStatus, NetworkError, toChatError } from './errors';
import {
  DEFAULT_RETRY,
  isRetrySafe,
  parseRetryAfter,
  type RetryOptions,
  retryDelay,
} from './http/retry-policy';
import type { TokenManager } from './token-manager';
import { restUrl } from './urls';

type Def<N extends EndpointName> = (typeof endpoints)[N];
type Input<N extends EndpointName, K extends 'params' | 'query' | 'body'> =
  Def<N> extends { [P in K]: infer S extends z.ZodType } ? z.input<S> : never;
/** A slot the endpoint has: required unless all its fields are optional. */
type Slot<K extends string, T> = [T] extends [never]
  ? { [P in K]?: never }
  : object extends T
    ? { [P in K]?: T }
    : { [P in K]: T };

/** Path parameters, query and body of an endpoint, typed by the protocol's schemas. */
export type RequestInput<N extends EndpointName> = Slot<'params', Input<N, 'params'>> &
  Slot<'query', Input<N, 'query'>> &
  Slot<'body', Input<N, 'body'>>;

export interface RequestOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call (per attempt). */
  timeoutMs?: number;
  /** Declares the call safe (or unsafe) to repeat, overriding the built-in rules. */
  idempotent?: boolean;
}

/** What a route table says about an endpoint. */
export interface ClientRoute {
  readonly method: string;
  readonly path: string;
  readonly auth: string;
}

export type RequestArgs<N extends EndpointName> =
  object extends RequestInput<N>
    ? [input?: RequestInput<N>, options?: RequestOptions]
    : [input: RequestInput<N>, options?: RequestOptions];

export interface HttpClientOptions {
  /** e.g. `https://chat.example.com`; paths start with `/v1`. */
  baseUrl: string;
  apiKey: string;
  env: Environment;
  /** The user's (or server's) token, for every endpoint that is not `public`. */
  tokens?: TokenManager;
  /** Per attempt. Default 15 s. */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
}

/**
 * Calls the REST API by endpoint name, typed end to end by the protocol's endpoint table.
 * Retries what is safe to retry (see `isRetrySafe`) on retryable failures with jittered backoff,
 * honouring a 429's wait; refreshes an expired token once; every failure is a `ChatError`.
 *
 * @example
 * const http = new HttpClient({ baseUrl, apiKey, env: resolveEnvironment(), tokens });
 * const { messages } = await http.request('listMessages', {
 *   params: { type: 'messaging', id: 'general' },
 *   query: { limit: 20 },
 * });
 */
export class HttpClient {
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Calls an endpoint a user's client may call (the server-token API is for backends). */
  request<N extends EndpointName & ClientRouteName>(
    name: N,
    ...args: RequestArgs<N>
  ): Promise<EndpointResponse<N>> {
    return this.call(CLIENT_ROUTES[name], name, ...args);
  }

  /**
   * Calls an endpoint of a route table kept out of the client's bundle: the entries beside it
   * (`@chat/core/moderation`) bring their own, so an app that never moderates never ships them.
   */
  async call<N extends EndpointName>(
    route: ClientRoute,
    name: N,
    ...[input, options = {}]: RequestArgs<N>
  ): Promise<EndpointResponse<N>> {
    const { params, query, body } = (input ?? {}) as { params?: object; query?: object; body?: unknown };
    const url = restUrl(this.options.baseUrl, route.path, params as Record<string, unknown>, query as never);
    const attempts = isRetrySafe(name, route.method, body, options.idempotent) ? this.retry.attempts : 1;
    const what = `${route.method} ${route.path}`;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = route.auth === 'public' ? undefined : await this.token();
      try {
        return (await this.send(what, route.method, url, body, token, options)) as EndpointResponse<N>;
      } catch (caught) {
        const error = caught as ChatError;
        // The server rejected the token before doing anything, so a repeat is safe for any call.
        if (error.code === 'token_expired' && token !== undefined && !refreshed && this.options.tokens) {
          refreshed = true;
          await this.options.tokens.refresh(token);
          attempt--;
          continue;
        }
        if (error instanceof AuthError || !error.retryable || attempt >= attempts) throw error;
        const delay = retryDelay(attempt, error, this.retry, this.options.env.random);
        if (delay === undefined) throw error;
        await this.sleep(delay, options.signal);
      }
    }
  }

  private token(): Promise<string> {
    const { tokens } = this.options;
    if (!tokens?.hasSource) {
      return Promise.reject(
        new AuthError({ code: 'unauthenticated', message: 'This endpoint needs a user token' }),
      );
    }
    return tokens.getToken();
  }

  /** One attempt: fetch with a time limit, then the body as JSON or the failure as a `ChatError`. */
  private async send(
    what: string,
    method: string,
    url: string,
    body: unknown,
    token: string | undefined,
    options: RequestOptions,
  ): Promise<unknown> {
    const { env, apiKey } = this.options;
    const { signal } = options;
    if (signal?.aborted) throw aborted(signal.reason);
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let timedOut = false;
    const timer = env.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Api-Key': apiKey };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await env.fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      // Inside the time limit too: a server can stall in the middle of a body.
      text = await response.text();
    } catch (error) {
      if (timedOut) {
        throw new NetworkError({
          code: 'timeout',
          message: `${what}: no answer within ${timeoutMs} ms`,
          cause: error,
        });
      }
      if (signal?.aborted) throw aborted(signal.reason ?? error);
      throw new NetworkError({ message: `${what}: the request failed (${describe(error)})`, cause: error });
    } finally {
      env.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
    if (!response.ok) throw this.failure(what, response, text);
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ChatError({
        code: 'invalid_response',
        status: response.status,
        message: `${what}: the answer is not JSON`,
        cause: error,
      });
    }
  }

  /** The server's error body as its class; one is made up from the status when there is none. */
  private failure(what: string, response: Response, text: string): ChatError {
    let body =
      errorBodyOf(text) ?? errorBodyForStatus(response.status, `${what} failed with HTTP ${response.status}`);
    if (body.code === 'rate_limited' && body.details?.retry_after_ms === undefined) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.options.env.clock.now());
      if (retryAfterMs !== undefined)
        body = { ...body, details: { ...body.details, retry_after_ms: retryAfterMs } };
    }
    // The response is the cause: its headers (request ids, rate-limit counters) help debugging.
    return toChatError(body, response);
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const { clock } = this.options.env;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(aborted(signal.reason));
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(aborted(signal?.reason));
      };
      const timer = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function errorBodyOf(text: string): ErrorBody | undefined {
  try {
    const error = (JSON.parse(text) as { error?: Partial<ErrorBody> } | null)?.error;
    if (
      typeof error?.code === 'string' &&
      typeof error.message === 'string' &&
      typeof error.status === 'number'
    ) {
      return { retryable: false, ...error } as ErrorBody;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone will have to do.
  }
  return undefined;
}

function aborted(cause: unknown): NetworkError {
  return new NetworkError({ code: 'aborted', retryable: false, message: 'The request was aborted', cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
