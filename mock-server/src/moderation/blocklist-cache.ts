import type { Logger } from 'pino';
import type { Bus } from '../bus/bus';
import type { ContentFilter, ContentFilters } from '../domain/messages/content-filter';
import type { DataAccess } from '../store/data-access';
import { CompiledBlocklists } from './blocklist-matcher';
import { loadActiveBlocklists } from './blocklists';

/**
 * Each node keeps every application's active blocklists compiled in memory, so a send costs no
 * query and only the in-memory match. An app with no lists is remembered as such (null).
 *
 * A change drops the app's copy on this node at once, and on the other nodes through the bus
 * (topic `blocklists`); the next send compiles it again. Pub/sub keeps nothing while a node's
 * subscription is down, so after it comes back every copy is dropped, and each copy is read again
 * after `MAX_AGE_MS` anyway: a node that missed a change applies it within that.
 */
export const MAX_AGE_MS = 60_000;
const TOPIC = 'blocklists';

interface Entry {
  filter: ContentFilter | null;
  until: number;
}

export interface BlocklistCacheOptions {
  data: DataAccess;
  /** The bus between nodes (null: this is the only node). */
  bus: Bus | null;
  logger: Logger;
}

export class BlocklistCache implements ContentFilters {
  private readonly entries = new Map<string, Entry>();
  /** Loads under way, shared by concurrent sends of one app. */
  private readonly loading = new Map<string, Promise<ContentFilter | null>>();
  /** Bumped by each change: a load that began before it must not keep the old lists. */
  private readonly generations = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: BlocklistCacheOptions) {}

  /** Listens for other nodes' changes (once, at startup). */
  async start(): Promise<void> {
    const { bus } = this.options;
    if (!bus) return;
    this.unsubscribe = await bus.subscribe(TOPIC, (appId) => this.drop(appId));
    bus.onReconnected((side) => {
      if (side === 'subscriber') this.entries.clear();
    });
  }

  close(): void {
    this.unsubscribe?.();
  }

  async forApp(appId: string): Promise<ContentFilter | null> {
    const cached = this.entries.get(appId);
    if (cached && cached.until > Date.now()) return cached.filter;
    let load = this.loading.get(appId);
    if (!load) {
      load = this.load(appId).finally(() => this.loading.delete(appId));
      this.loading.set(appId, load);
    }
    return load;
  }

  /** The app's lists changed: dropped here now, and on the other nodes through the bus. */
  async changed(appId: string): Promise<void> {
    this.drop(appId);
    await this.options.bus?.publish(TOPIC, appId).catch((error: unknown) => {
      // The other nodes read the lists again within MAX_AGE_MS.
      this.options.logger.warn({ err: error, appId }, 'blocklist change not announced to other nodes');
    });
  }

  private drop(appId: string): void {
    this.generations.set(appId, (this.generations.get(appId) ?? 0) + 1);
    this.entries.delete(appId);
    this.loading.delete(appId);
  }

  private async load(appId: string): Promise<ContentFilter | null> {
    const generation = this.generations.get(appId) ?? 0;
    const lists = await loadActiveBlocklists(this.options.data.forApp(appId));
    const compiled = lists.length > 0 ? new CompiledBlocklists(lists) : null;
    const filter: ContentFilter | null = compiled && { check: (text) => compiled.evaluate(text) };
    if ((this.generations.get(appId) ?? 0) === generation) {
      this.entries.set(appId, { filter, until: Date.now() + MAX_AGE_MS });
    }
    return filter;
  }
}
