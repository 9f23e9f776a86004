import type { PushLevel, PushPreferences, SetPushPreferencesBody } from '@chat/protocol';
import type { ChatClient } from './client';
import { ChatError } from './errors';
import { createStore, type ReadableStore } from './store';

export type { PushLevel, PushPreferences };
/** A change of push preferences: any of `level`, `dnd_until`, `channels`. */
export type PushPreferencesChange = SetPushPreferencesBody;

/** The connected user's push preferences, as a settings screen shows them. */
export interface PushPreferencesState {
  /** `null` until the first load answers (and again after the user changes). */
  readonly preferences: PushPreferences | null;
  /** A load is running. */
  readonly loading: boolean;
  /** Why the last load or update failed; `null` after one succeeds. */
  readonly error: ChatError | null;
}

/** One client's preferences, shared by every view of that client. */
export interface PushPreferencesSource {
  readonly state: ReadableStore<PushPreferencesState>;
  /** Fetches them (single-flight). A failure shows in `error` and rejects. */
  load(): Promise<void>;
  /** Applies `change` at once, then the server's answer; a refusal puts the old value back. */
  update(change: PushPreferencesChange): Promise<PushPreferences>;
}

const INITIAL: PushPreferencesState = { preferences: null, loading: false, error: null };

const asChatError = (cause: unknown) =>
  cause instanceof ChatError
    ? cause
    : new ChatError({ code: 'network_error', message: String(cause), retryable: true, cause });

/** `change` applied to `preferences`, as the server will (a channel's `null` drops its level). */
function applyChange(preferences: PushPreferences, change: PushPreferencesChange): PushPreferences {
  let channels = preferences.channels;
  if (change.channels) {
    const levels = new Map(channels.map((c) => [c.cid, c.level]));
    for (const { cid, level } of change.channels) {
      if (level === null) levels.delete(cid);
      else levels.set(cid, level);
    }
    channels = [...levels].map(([cid, level]) => ({ cid, level }));
  }
  return {
    level: change.level ?? preferences.level,
    dnd_until: change.dnd_until === undefined ? preferences.dnd_until : change.dnd_until,
    channels,
  };
}

const sources = new WeakMap<ChatClient, PushPreferencesSource>();

/**
 * The preferences of `client`'s user, one copy per client, so a settings panel and a channel
 * menu show the same values: what the React hook, the Vue composable and the Angular service
 * show. A separate entry (`@chat/core/push-preferences`), outside the main bundle's budget, for
 * apps with a settings screen. The newest request wins: an older answer arriving
 * late is dropped. Emptied when the connected user changes.
 */
export function pushPreferencesOf(client: ChatClient): PushPreferencesSource {
  const existing = sources.get(client);
  if (existing) return existing;
  const state = createStore<PushPreferencesState>(INITIAL);
  let latest = 0;
  let inFlight: Promise<void> | undefined;
  let userId: string | undefined;
  let following = false;
  // From the first request on (a server render makes none, so it subscribes to nothing): what
  // is held belongs to the user it was fetched for.
  const follow = () => {
    if (following) return;
    following = true;
    userId = client.userId;
    client.user.subscribe(() => {
      if (client.userId === userId) return;
      userId = client.userId;
      latest += 1;
      inFlight = undefined;
      state.setState(INITIAL);
    });
  };

  const source: PushPreferencesSource = {
    state,
    load() {
      follow();
      if (inFlight) return inFlight;
      const request = ++latest;
      state.setState((s) => ({ ...s, loading: true }));
      const run = async () => {
        try {
          const preferences = await client.devices.preferences();
          if (request === latest) state.setState({ preferences, loading: false, error: null });
        } catch (cause) {
          const error = asChatError(cause);
          if (request === latest) state.setState((s) => ({ ...s, loading: false, error }));
          throw error;
        } finally {
          if (request === latest) inFlight = undefined;
        }
      };
      inFlight = run();
      return inFlight;
    },
    async update(change) {
      follow();
      const request = ++latest;
      inFlight = undefined;
      const before = state.getSnapshot().preferences;
      if (before) state.setState((s) => ({ ...s, preferences: applyChange(before, change), error: null }));
      try {
        const preferences = await client.devices.setPreferences(change);
        if (request === latest) state.setState({ preferences, loading: false, error: null });
        return preferences;
      } catch (cause) {
        const error = asChatError(cause);
        if (request === latest) state.setState((s) => ({ ...s, preferences: before, loading: false, error }));
        throw error;
      }
    },
  };
  sources.set(client, source);
  return source;
}
