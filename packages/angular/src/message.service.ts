import { computed, Injectable, inject, type Signal } from '@angular/core';
import {
  type Channel,
  type LocalMessage,
  type SendMessageInput,
  sameItems,
  type TypingUser,
} from '@chat/core';
import type { Observable } from 'rxjs';
import { bindInput, combine, type Reactive } from './bind-input';
import { CHAT_CLIENT } from './chat-config';
import { consumerScope, type ScopeOptions } from './consumer-scope';
import { storeObservable, storeSignal } from './store-bridge';

/** A message as the server stored it (what edits, deletes and reactions resolve with). */
type Message = Awaited<ReturnType<Channel['updateMessage']>>;

/** The messages of a channel and what a user does with them (`useMessages`). */
export interface ChannelMessages {
  /** Top-level messages, oldest first; own unsent ones last, with `status` 'sending' or 'failed'. */
  readonly messages: Signal<readonly LocalMessage[]>;
  readonly messages$: Observable<readonly LocalMessage[]>;
  /** Whether older messages may exist on the server (`state.hasOlder`). */
  readonly hasMore: Signal<boolean>;
  readonly loading: Signal<boolean>;
  /** Loads older messages; resolves with whether even older ones may exist. */
  loadOlder(limit?: number): Promise<boolean>;
  /** Shown at once as 'sending'; sent when connected, in order, exactly once. */
  send(input: SendMessageInput): Promise<LocalMessage>;
  edit(id: string, text: string): Promise<Message>;
  remove(id: string): Promise<Message>;
  /** Sends a failed message again. */
  retry(id: string): Promise<LocalMessage>;
  /** Drops a failed message. */
  discard(id: string): void;
  react(id: string, type: string): Promise<Message>;
  unreact(id: string, type: string): Promise<Message>;
}

/** Who else is typing in a channel or a thread (`useTyping`). */
export interface Typing {
  /** Other users typing in this scope; never the connected user. */
  readonly typing: Signal<readonly TypingUser[]>;
  readonly typing$: Observable<readonly TypingUser[]>;
  /** Call on every keystroke: core throttles what it sends. */
  onKeystroke(): void;
  stop(): void;
}

/** A thread: its parent and replies (`useThread`). Replies are loaded for each parent. */
export interface Thread {
  readonly parent: Signal<LocalMessage | undefined>;
  readonly replies: Signal<readonly LocalMessage[]>;
  readonly replies$: Observable<readonly LocalMessage[]>;
  send(input: Omit<SendMessageInput, 'parentId'>): Promise<LocalMessage>;
}

const NONE: readonly LocalMessage[] = [];

/**
 * Messages, threads and typing of a channel. Like `ChannelService`, methods take plain values or
 * signals and run in an injection context (or get `{ injector }`). They do not watch the
 * channel: `ChannelService.watch` does.
 *
 * @example
 * readonly general = inject(ChannelService).watch('team', 'general');
 * readonly messages = inject(MessageService).messages(this.general.channel);
 * // template: @for (m of messages.messages(); track m.id) { <p>{{ m.text }}</p> }
 */
@Injectable()
export class MessageService {
  private readonly client = inject(CHAT_CLIENT);

  messages(channel: Reactive<Channel>, options?: ScopeOptions): ChannelMessages {
    const scope = consumerScope(options);
    const bound = bindInput(scope, channel, (value) => value);
    const store = bound.follow((value) => value.state);
    const state = storeSignal(store, scope);
    const current = bound.target;
    return {
      messages: computed(() => state().messages),
      messages$: storeObservable(store, scope, (value) => value.messages),
      hasMore: computed(() => state().hasOlder),
      loading: computed(() => state().loading),
      loadOlder: (limit) => current().loadOlder(limit === undefined ? {} : { limit }),
      send: (input) => current().sendMessage(input),
      edit: (id, text) => current().updateMessage(id, { text }),
      remove: (id) => current().deleteMessage(id),
      retry: (id) => current().retryMessage(id),
      discard: (id) => current().discardMessage(id),
      react: (id, type) => current().sendReaction(id, type),
      unreact: (id, type) => current().deleteReaction(id, type),
    };
  }

  /** Other users typing in `channel`, or in the thread of `parentId`. */
  typing(channel: Reactive<Channel>, parentId?: string, options?: ScopeOptions): Typing {
    const scope = consumerScope(options);
    const bound = bindInput(scope, channel, (value) => value);
    const store = bound.follow((value) => value.state);
    const state = storeSignal(store, scope);
    const others = (typing: Readonly<Record<string, TypingUser>>) =>
      Object.values(typing).filter(
        (t) => t.user.id !== this.client.userId && t.parentId === (parentId ?? null),
      );
    return {
      // A fresh array per snapshot: compare by items, so only a real change notifies.
      typing: computed(() => others(state().typing), { equal: sameItems }),
      typing$: storeObservable(store, scope, (value) => others(value.typing), sameItems),
      onKeystroke: () => scope.outside(() => bound.target().startTyping(parentId)),
      stop: () => scope.outside(() => bound.target().stopTyping(parentId)),
    };
  }

  /** The thread of `parentId` in `channel`; its replies load on start and for each new parent. */
  thread(channel: Reactive<Channel>, parentId: Reactive<string>, options?: ScopeOptions): Thread {
    const scope = consumerScope(options);
    const bound = bindInput(scope, combine(channel, parentId), (pair) => pair, {
      same: sameItems,
      start([value, parent]) {
        // A failed load leaves the replies that arrived live.
        value.getReplies(parent).catch(() => {});
        return undefined;
      },
    });
    const store = bound.follow(([value]) => value.state);
    const state = storeSignal(store, scope);
    const parent = () => bound.target()[1];
    return {
      parent: computed(() => state().messages.find((m) => m.id === parent())),
      replies: computed(() => state().threads[parent()] ?? NONE),
      replies$: storeObservable(store, scope, (value) => value.threads[parent()] ?? NONE),
      send: (input) => bound.target()[0].sendMessage({ ...input, parentId: parent() }),
    };
  }
}
