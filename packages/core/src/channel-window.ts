import type { ChannelType } from '@chat/protocol';
import type { ChannelStore } from './channel-store';
import type { HttpClient } from './http-client';
import { addNewerMessages, addOlderMessages, showWindow } from './state/channel-reducer';

/** Messages per page unless a call says otherwise. */
const PAGE_SIZE = 50;

/**
 * Which stretch of a channel's history its message list holds: the newest messages (the live
 * list), older pages above them, or — after a jump to a quoted, searched or first unread message
 * — a window of the past that pages both ways and returns to the live list. A page that answers
 * after a later jump or reload is dropped: it belongs to a window no longer shown.
 */
export class ChannelWindow {
  /** Bumped by every change of window; a page of an earlier one is not applied. */
  private generation = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly store: ChannelStore,
    private readonly params: { type: ChannelType; id: string },
    /** Reloads the newest messages the way the channel loads (a fresh watch while watched). */
    private readonly reloadLatest: () => Promise<void> | undefined,
  ) {}

  /** Loads a page older than the first message shown. Resolves with whether more exist. */
  async loadOlder(limit = PAGE_SIZE): Promise<boolean> {
    const oldest = this.store.getSnapshot().messages.find((m) => m.status === 'sent');
    const page = await this.page({ limit, ...(oldest && { before: oldest.id }) });
    if (page) this.store.setState((s) => addOlderMessages(s, page.top, page.has_more));
    return page?.has_more ?? this.store.getSnapshot().hasOlder;
  }

  /** Loads a page newer than the last message of a window of the past; resolves with whether more exist. */
  async loadNewer(limit = PAGE_SIZE): Promise<boolean> {
    const state = this.store.getSnapshot();
    if (!state.hasNewer) return false;
    const newest = state.messages.findLast((m) => m.status === 'sent');
    if (!newest) return this.jumpToLatest().then(() => false);
    const page = await this.page({ limit, after: newest.id });
    if (page) this.store.setState((s) => addNewerMessages(s, page.top, page.has_more));
    return page?.has_more ?? this.store.getSnapshot().hasNewer;
  }

  /**
   * Shows `messageId` with the messages around it (a quoted message, a search hit, the first
   * unread). Nothing is loaded when it is already in the list. Rejects with `not_found` when it
   * is not a message of this channel (or no longer is), leaving the list as it was.
   */
  async jumpTo(messageId: string, limit = PAGE_SIZE): Promise<void> {
    if (this.store.getSnapshot().messages.some((m) => m.id === messageId && m.status === 'sent')) return;
    const page = await this.page({ limit, around: messageId });
    if (!page) return;
    this.store.setState((s) =>
      showWindow(s, page.top, { older: page.has_more, newer: page.has_newer ?? false }),
    );
  }

  /** Back to the newest messages after a jump (the live list). */
  async jumpToLatest(limit = PAGE_SIZE): Promise<void> {
    this.generation++;
    const reload = this.reloadLatest();
    if (reload) return reload;
    const page = await this.page({ limit });
    if (page) this.store.setState((s) => showWindow(s, page.top, { older: page.has_more, newer: false }));
  }

  /** The channel's top-level messages of one page, or `undefined` when another window took over meanwhile. */
  private async page(query: { limit: number; before?: string; after?: string; around?: string }) {
    const generation = query.before || query.after ? this.generation : ++this.generation;
    const page = await this.http.request('listMessages', { params: this.params, query });
    if (generation !== this.generation) return undefined;
    return { ...page, top: page.messages.filter((m) => m.parent_id === null) };
  }
}
