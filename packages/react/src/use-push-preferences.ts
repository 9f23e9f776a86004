import type { ChatError } from '@chat/core';
import { pushPreferencesOf } from '@chat/core/push-preferences';
import { useMemo } from 'react';
import { useChatClient } from './chat-context';
import type { PushPreferences, PushPreferencesChange } from './core-types';
import { useLoadOnce } from './use-load-once';
import { useStore } from './use-store';

/** What `usePushPreferences` returns. */
export interface PushPreferencesResult {
  /** `{ level, dnd_until, channels }`; `null` until loaded. */
  preferences: PushPreferences | null;
  /** A load is running (the first, or a `reload`). */
  loading: boolean;
  /** Why the last load or update failed; `null` after one succeeds. */
  error: ChatError | null;
  /**
   * Changes some preferences: shown at once, then as the server answered; a refusal puts the
   * previous value back, shows in `error` and rejects.
   */
  update(change: PushPreferencesChange): Promise<PushPreferences>;
  /** Fetches them again. */
  reload(): Promise<void>;
}

const userIdOf = (user: { id: string } | undefined) => user?.id;

/**
 * The connected user's push preferences (`client.devices.preferences()`): which messages push
 * to them (`'all'`, `'mentions'`, `'none'`), do-not-disturb until a time, and per-channel levels.
 * Loaded once the user is connected (once per mount, also under StrictMode); every component
 * using it for one client shares one copy, so a change made in one shows in all.
 *
 * @example
 * const { preferences, update } = usePushPreferences();
 * <select value={preferences?.level} onChange={(e) => update({ level: e.target.value as PushLevel })}>…</select>
 * update({ dnd_until: new Date(Date.now() + 3_600_000).toISOString() }); // quiet for an hour
 * update({ channels: [{ cid: 'team:general', level: 'mentions' }] });   // null: back to the user's level
 */
export function usePushPreferences(): PushPreferencesResult {
  const client = useChatClient('usePushPreferences');
  const source = useMemo(() => pushPreferencesOf(client), [client]);
  const state = useStore(source.state);
  const userId = useStore(client.user, userIdOf);
  // One key per client and user: a new user (or client) loads again, a re-render does not.
  const key = useMemo(() => ({ source, userId }), [source, userId]);
  // The error shows in `error`; the rejection is only a caller's business.
  useLoadOnce(key, () => {
    if (userId !== undefined) void source.load().catch(() => {});
  });
  return useMemo(
    () => ({
      preferences: state.preferences,
      loading: state.loading,
      error: state.error,
      update: (change: PushPreferencesChange) => source.update(change),
      reload: () => source.load(),
    }),
    [state, source],
  );
}
