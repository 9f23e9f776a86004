/**
 * Everything the SDK takes from its host, in one injectable place: browsers, Node ≥ 22 and React
 * Native differ here, and tests replace it without monkey-patching. Defaults are read from
 * `globalThis` when used, never at import, so importing the SDK touches no global (SSR-safe).
 */

/** What a timer function returns; opaque because browsers return numbers and Node objects. */
export type TimerHandle = unknown;

/** Time, injectable so tests (and reconnect backoff) can run on a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The part of a WebSocket the SDK uses; browsers, Node ≥ 22, React Native and `ws` all have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A boolean the host can report changes of: "the network is up", "the app is in the
 * foreground". React Native apps adapt NetInfo and AppState to this.
 *
 * @example
 * const online: SignalSource = {
 *   current: () => lastNetInfo.isConnected !== false,
 *   subscribe: (fn) => NetInfo.addEventListener((s) => fn(s.isConnected !== false)),
 * };
 */
export interface SignalSource {
  current(): boolean;
  subscribe(listener: (value: boolean) => void): () => void;
}

/**
 * A few small strings kept across app restarts, before any user is known: the device token of
 * each login, which lets a known device log in while someone elsewhere guesses the password.
 * React Native apps adapt AsyncStorage-backed caches or MMKV to this (synchronous reads).
 */
export interface KeyValueStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** What the host may provide; anything left out comes from `globalThis` when needed. */
export interface ChatEnvironment {
  fetch?: FetchLike;
  WebSocket?: WebSocketConstructor;
  clock?: Clock;
  /** A number in [0, 1); used for backoff jitter. */
  random?: () => number;
  /** A random UUID v4; used for `client_msg_id`. Default: `crypto.randomUUID`. */
  randomUUID?: () => string;
  /** Whether the network is up. Default: `navigator.onLine` and the `online`/`offline` events. */
  online?: SignalSource;
  /** Whether the app is in the foreground. Default: `document.visibilityState`. */
  visible?: SignalSource;
  /** Small strings kept across restarts. Default: `localStorage` where there is one, else memory. */
  keyValue?: KeyValueStore;
}

/** The environment with every member present; what the SDK's internals use. */
export interface Environment {
  fetch: FetchLike;
  createWebSocket(url: string): WebSocketLike;
  clock: Clock;
  random(): number;
  randomUUID(): string;
  online: SignalSource;
  visible: SignalSource;
  keyValue: KeyValueStore;
}

// Hosts differ in which of these exist, so every global is read as optional.
type Host = {
  fetch?: FetchLike;
  WebSocket?: WebSocketConstructor;
  navigator?: { onLine?: boolean };
  crypto?: { randomUUID?(): string };
  document?: {
    visibilityState?: string;
    addEventListener?(type: string, listener: () => void): void;
    removeEventListener?(type: string, listener: () => void): void;
  };
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
};
const host = () => globalThis as unknown as Host;

function missing(what: string): never {
  throw new Error(`@chat/core: this host has no global ${what}; pass env.${what} to the client`);
}

const defaultClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Online unless the host says otherwise: Node and React Native have no `navigator.onLine`. */
const defaultOnline: SignalSource = {
  current: () => host().navigator?.onLine !== false,
  subscribe(listener) {
    const target = host();
    if (typeof target.addEventListener !== 'function') return () => {};
    const up = () => listener(true);
    const down = () => listener(false);
    target.addEventListener('online', up);
    target.addEventListener('offline', down);
    return () => {
      target.removeEventListener?.('online', up);
      target.removeEventListener?.('offline', down);
    };
  },
};

/** Visible unless a document says it is hidden. */
const defaultVisible: SignalSource = {
  current: () => host().document?.visibilityState !== 'hidden',
  subscribe(listener) {
    const doc = host().document;
    if (typeof doc?.addEventListener !== 'function') return () => {};
    const changed = () => listener(doc.visibilityState !== 'hidden');
    doc.addEventListener('visibilitychange', changed);
    return () => doc.removeEventListener?.('visibilitychange', changed);
  },
};

/**
 * `localStorage` when the host has a usable one (a private window or a sandboxed frame may throw
 * on access), else memory for this page's life.
 */
function defaultKeyValue(): KeyValueStore {
  const memory = new Map<string, string>();
  const storage = () => {
    try {
      return host().localStorage;
    } catch {
      return undefined;
    }
  };
  return {
    get(key) {
      try {
        return storage()?.getItem(key) ?? memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        storage()?.setItem(key, value);
      } catch {
        // Full or refused: memory still holds it for this session.
      }
    },
  };
}

/**
 * Fills in what the host did not provide. Cheap, and reads no global until a member is used.
 *
 * @example
 * const env = resolveEnvironment({ WebSocket: (await import('ws')).WebSocket });
 */
export function resolveEnvironment(env: ChatEnvironment = {}): Environment {
  const { fetch, WebSocket } = env;
  return {
    // Called as plain functions: `window.fetch` throws "Illegal invocation" with another `this`.
    fetch: (input, init) => (fetch ?? host().fetch ?? missing('fetch'))(input, init),
    createWebSocket: (url) => new (WebSocket ?? host().WebSocket ?? missing('WebSocket'))(url),
    clock: env.clock ?? defaultClock,
    random: env.random ?? (() => Math.random()),
    randomUUID:
      env.randomUUID ??
      (() => (host().crypto?.randomUUID ?? missing('crypto.randomUUID')).call(host().crypto)),
    online: env.online ?? defaultOnline,
    visible: env.visible ?? defaultVisible,
    keyValue: env.keyValue ?? defaultKeyValue(),
  };
}
