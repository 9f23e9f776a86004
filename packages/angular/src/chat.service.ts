import { computed, Injectable, inject, type Signal } from '@angular/core';
import type { ChatClient, ConnectionState, TokenSource } from '@chat/core';
import type { Observable } from 'rxjs';
import { type Reactive, read } from './bind-input';
import { CHAT_CLIENT } from './chat-config';
import { consumerScope } from './consumer-scope';
import { storeObservable, storeSignal } from './store-bridge';

/** A user as the server describes them (`client.getUser()`). */
export type ChatUser = NonNullable<ReturnType<ChatClient['getUser']>>;

/**
 * The client, its connected user and its connection state (`useChat` and
 * `useConnectionState` of the other adapters).
 *
 * @example
 * const chat = inject(ChatService);
 * await chat.login({ username: 'alice', password: 'chat-demo' });
 * // template: @if (chat.connectionState().status === 'reconnecting') { Reconnecting… }
 */
@Injectable()
export class ChatService {
  readonly client: ChatClient = inject(CHAT_CLIENT);
  private readonly scope = consumerScope();
  /** The connected user, or `undefined`. */
  readonly user: Signal<ChatUser | undefined> = storeSignal(this.client.user, this.scope);
  readonly user$: Observable<ChatUser | undefined> = storeObservable(this.client.user, this.scope);
  /** `{ status, attempt, error? }`; see `ConnectionState` in @chat/core. */
  readonly connectionState: Signal<ConnectionState> = storeSignal(this.client.connection, this.scope);
  readonly connectionState$: Observable<ConnectionState> = storeObservable(
    this.client.connection,
    this.scope,
  );
  private readonly presence = storeSignal(this.client.users.presence, this.scope);

  /**
   * Connects `user` with a token or a token provider; resolves with the connected user. The
   * socket and its timers live outside Angular's zone (see the README).
   */
  connect(user: { id: string }, token: TokenSource): Promise<ChatUser> {
    return this.scope.outside(() => this.client.connect(user, token));
  }

  /** Logs in with an account of the chat server and connects. */
  login(credentials: { username: string; password: string }): Promise<ChatUser> {
    return this.scope.outside(() => this.client.auth.login(credentials));
  }

  /** Revokes the session and clears the offline storage (`client.auth.logout()`). */
  logout(): Promise<void> {
    return this.client.auth.logout();
  }

  /** Closes the connection; `clear: true` also empties the offline storage. */
  disconnect(options?: { clear?: boolean }): Promise<void> {
    return this.client.disconnect(options);
  }

  /** Whether `userId` is online (`usePresence`). */
  isOnline(userId: Reactive<string>): Signal<boolean> {
    return computed(() => this.presence()[read(userId)] === true);
  }
}
