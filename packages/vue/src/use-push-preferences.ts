import type { ChatError } from '@chat/core';
import { pushPreferencesOf } from '@chat/core/push-preferences';
import { type ComputedRef, computed, watch } from 'vue';
import { injectChatClient } from './chat-context';
import type { PushPreferences, PushPreferencesChange } from './core-types';
import { inBrowser } from './environment';
import { useStore } from './use-store';

/** What `usePushPreferences` returns. */
export interface PushPreferencesApi {
  /** `{ level, dnd_until, channels }`; `null` until loaded. */
  preferences: ComputedRef<PushPreferences | null>;
  /** A load is running (the first, or a `reload`). */
  loading: ComputedRef<boolean>;
  /** Why the last load or update failed; `null` after one succeeds. */
  error: ComputedRef<ChatError | null>;
  /**
   * Changes some preferences: shown at once, then as the server answered; a refusal puts the
   * previous value back, shows in `error` and rejects.
   */
  update(change: PushPreferencesChange): Promise<PushPreferences>;
  /** Fetches them again. */
  reload(): Promise<void>;
}

/**
 * The connected user's push preferences (`client.devices.preferences()`): which messages push
 * to them (`'all'`, `'mentions'`, `'none'`), do-not-disturb until a time, and per-channel
 * levels. Loaded on setup once a user is connected, and again for a new user; every composable
 * of one client shares one copy, so a change made in one shows in all.
 *
 * @example
 * const { preferences, update } = usePushPreferences();
 * // <select :value="preferences?.level" @change="update({ level: $event.target.value })">
 * await update({ dnd_until: new Date(Date.now() + 3_600_000).toISOString() }); // quiet for an hour
 * await update({ channels: [{ cid: 'team:general', level: null }] }); // back to the user's level
 */
export function usePushPreferences(): PushPreferencesApi {
  const client = injectChatClient();
  const source = pushPreferencesOf(client);
  const state = useStore(source.state);
  if (inBrowser()) {
    const userId = useStore(client.user, (user) => user?.id);
    // A failure shows in `error`; the rejection matters only to whoever awaits a reload.
    watch(
      userId,
      (id) => {
        if (id !== undefined) source.load().catch(() => {});
      },
      { immediate: true },
    );
  }
  return {
    preferences: computed(() => state.value.preferences),
    loading: computed(() => state.value.loading),
    error: computed(() => state.value.error),
    update: (change) => source.update(change),
    reload: () => source.load(),
  };
}
