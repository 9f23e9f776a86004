import type { ChatClient } from '@chat/core';

/** One reaction: who reacted with what. */
export interface ReactionRef {
  type: string;
  user_id: string;
}

/**
 * Lists a message's reactions, newest first (what `<Reactions loadReactions>` takes): an app's own
 * endpoint, for one. Without it, the server's (`client.messages.reactions`) is asked.
 */
export type ReactionsLoader = (messageId: string) => Promise<readonly ReactionRef[]>;

/** What is known of who reacted to one message. */
export interface MessageReactors {
  /** `loaded`: `byType` is the server's list (kept current by live events since). */
  readonly status: 'unknown' | 'loading' | 'loaded' | 'failed';
  /** User ids per reaction type, newest first. */
  readonly byType: Readonly<Record<string, readonly string[]>>;
}

const UNKNOWN: MessageReactors = { status: 'unknown', byType: {} };
// Enough for every message a session shows; the oldest entries go first beyond it.
const MAX_MESSAGES = 2_000;

/**
 * Who reacted to which message, per client: what a loader returned, plus every reaction seen live
 * (`reaction.new` / `reaction.deleted` carry the user), so a tooltip can name people without a
 * request. Each message's value is immutable and changes identity only when it changes.
 */
export class ReactorsStore {
  private readonly entries = new Map<string, MessageReactors>();
  private readonly listeners = new Set<() => void>();
  private watchers = 0;
  private unwatch: (() => void) | null = null;

  constructor(private readonly client: ChatClient) {}

  get = (messageId: string): MessageReactors => this.entries.get(messageId) ?? UNKNOWN;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Listens to live reactions while at least one component needs it; returns the release. */
  watch(): () => void {
    this.watchers += 1;
    if (this.watchers === 1) {
      const offNew = this.client.on('reaction.new', (e) => this.seen(e.message.id, e.reaction, true));
      const offDeleted = this.client.on('reaction.deleted', (e) =>
        this.seen(e.message.id, e.reaction, false),
      );
      this.unwatch = () => {
        offNew();
        offDeleted();
      };
    }
    return () => {
      this.watchers -= 1;
      if (this.watchers === 0) {
        this.unwatch?.();
        this.unwatch = null;
      }
    };
  }

  /** Asks `loader` once per message (again only after a failure); answers arrive through `get`. */
  load(messageId: string, loader: ReactionsLoader): void {
    const status = this.get(messageId).status;
    if (status === 'loading' || status === 'loaded') return;
    this.set(messageId, { ...this.get(messageId), status: 'loading' });
    loader(messageId).then(
      (reactions) => {
        const byType: Record<string, string[]> = {};
        for (const { type, user_id } of reactions) {
          byType[type] = [...(byType[type] ?? []), user_id];
        }
        this.set(messageId, { status: 'loaded', byType });
      },
      () => this.set(messageId, { ...this.get(messageId), status: 'failed' }),
    );
  }

  private seen(messageId: string, reaction: ReactionRef, added: boolean): void {
    const current = this.get(messageId);
    const users = (current.byType[reaction.type] ?? []).filter((id) => id !== reaction.user_id);
    const next = added ? [reaction.user_id, ...users] : users;
    this.set(messageId, { ...current, byType: { ...current.byType, [reaction.type]: next } });
  }

  private set(messageId: string, value: MessageReactors): void {
    this.entries.delete(messageId);
    this.entries.set(messageId, value);
    if (this.entries.size > MAX_MESSAGES) this.entries.delete(this.entries.keys().next().value!);
    for (const listener of this.listeners) listener();
  }
}

const stores = new WeakMap<ChatClient, ReactorsStore>();

/** The store of `client`, made on first use. */
export function reactorsOf(client: ChatClient): ReactorsStore {
  let store = stores.get(client);
  if (!store) {
    store = new ReactorsStore(client);
    stores.set(client, store);
  }
  return store;
}
