import { computed, effect, Injectable, inject, type Signal, untracked } from '@angular/core';
import type { ChatError } from '@chat/core';
import {
  type PushPreferences,
  type PushPreferencesChange,
  pushPreferencesOf,
} from '@chat/core/push-preferences';
import type { Observable } from 'rxjs';
import { CHAT_CLIENT } from './chat-config';
import { consumerScope, type ScopeOptions } from './consumer-scope';
import { storeObservable, storeSignal } from './store-bridge';

/** The connected user's push preferences and how to change them (`usePushPreferences`). */
export interface PushPreferencesRef {
  /** `{ level, dnd_until, channels }`; `null` until loaded. */
  readonly preferences: Signal<PushPreferences | null>;
  readonly preferences$: Observable<PushPreferences | null>;
  /** A load is running (the first, or a `reload`). */
  readonly loading: Signal<boolean>;
  /** Why the last load or update failed; `null` after one succeeds. */
  readonly error: Signal<ChatError | null>;
  /**
   * Changes some preferences: shown at once, then as the server answered; a refusal puts the
   * previous value back, shows in `error` and rejects.
   */
  update(change: PushPreferencesChange): Promise<PushPreferences>;
  /** Fetches them again. */
  reload(): Promise<void>;
}

/**
 * Push notification preferences of the connected user: which messages push to them (`'all'`,
 * `'mentions'`, `'none'`), do-not-disturb until a time, and per-channel levels. Like the other
 * services, `preferences()` runs in an injection context (or gets `{ injector }`). Channel mute
 * is `ChannelService.muting(channel)`.
 *
 * @example
 * readonly push = inject(NotificationService).preferences();
 * // template: <select [value]="push.preferences()?.level" (change)="push.update({ level: $any($event.target).value })">
 */
@Injectable()
export class NotificationService {
  private readonly client = inject(CHAT_CLIENT);

  /**
   * The preferences, loaded while a user is connected (again for a new user). Every consumer of
   * one client shares one copy: a change made through one shows in all.
   */
  preferences(options?: ScopeOptions): PushPreferencesRef {
    const scope = consumerScope(options);
    const source = pushPreferencesOf(this.client);
    const state = storeSignal(source.state, scope);
    // A server render only shows state: the browser loads, after hydration.
    if (!scope.server) {
      const user = storeSignal(this.client.user, scope);
      const userId = computed(() => user()?.id);
      effect(
        () => {
          const id = userId();
          // A failure shows in `error`; the rejection matters only to whoever awaits a reload.
          if (id !== undefined) untracked(() => scope.outside(() => void source.load().catch(() => {})));
        },
        { injector: scope.injector },
      );
    }
    return {
      preferences: computed(() => state().preferences),
      preferences$: storeObservable(source.state, scope, (s) => s.preferences),
      loading: computed(() => state().loading),
      error: computed(() => state().error),
      update: (change) => source.update(change),
      reload: () => source.load(),
    };
  }
}
