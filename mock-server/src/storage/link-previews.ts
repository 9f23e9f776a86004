import { type LinkPreview, linkPreview } from '@chat/protocol';
import { fromKysely, type Job } from 'pg-boss';
import type { Logger } from 'pino';
import { applyLinkPreviews, linksToPreview } from '../domain/messages/link-previews';
import type { LinkPreviewsRequest } from '../events/app-events';
import type { Publish } from '../events/published-event';
import type { FeedConsumer, FeedEvent } from '../jobs/event-feed';
import type { JobQueue } from '../jobs/job-queue';
import { VERSION } from '../kernel/version';
import { getGuarded } from '../outbound/get';
import type { TargetGuard } from '../outbound/target-guard';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import { type PagePreview, readPagePreview } from './link-preview-page';

/**
 * Link previews: a message sent (or edited) with links asks for them through the outbox
 * (`internal.link_previews`); a feed consumer queues a job; the job reads what each of the
 * message's first links' pages says about itself (through the target guard, within a deadline
 * and a size cap, HTML only), or what the application's cache remembers of it, and hands the
 * previews to the domain, which puts them on the message and publishes `message.updated`.
 */
export const LINK_PREVIEW_QUEUE = 'link-previews';

/** How link previews are fetched (by the worker role); `CHAT_LINK_PREVIEW_*` (startup/config.ts). */
export interface LinkPreviewConfig {
  /** Fetch previews at all (`CHAT_LINK_PREVIEWS=0` turns them off: the server then calls no linked site). */
  enabled: boolean;
  /**
   * Address ranges previews may be fetched from although they are not public
   * (`CHAT_LINK_PREVIEW_ALLOW_CIDRS`, comma-separated, e.g. `127.0.0.1/32` for a test's pages).
   * Default: none. Kept apart from the webhooks' list: a range a receiver needs is not one any
   * user's link should reach.
   */
  allowCidrs: string[];
  /** One page, connect to last byte, redirects included (`CHAT_LINK_PREVIEW_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Bytes of a page read at most; the rest is never read (`CHAT_LINK_PREVIEW_MAX_BYTES`). */
  maxBytes: number;
  /** How long what a page said is reused for the same link (`CHAT_LINK_PREVIEW_CACHE_S`). */
  cacheSeconds: number;
}

export interface LinkPreviewJob {
  appId: string;
  messageId: string;
}

/** At most this many redirects are followed; each target is checked like the first. */
const MAX_REDIRECTS = 3;
/** How long a page that gave no preview (or could not be fetched) is not asked again. */
const MISS_CACHE_SECONDS = 3600;
/** Pages fetched at once on one node. */
const CONCURRENCY = 4;

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

export async function createLinkPreviewQueue(boss: JobQueue): Promise<void> {
  const exists = (await boss.getQueues()).some((queue) => queue.name === LINK_PREVIEW_QUEUE);
  // A failure here is the database's (a page that cannot be read is a miss, not a failure).
  const settings = { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 5 * 60 };
  if (exists) await boss.updateQueue(LINK_PREVIEW_QUEUE, settings);
  else await boss.createQueue(LINK_PREVIEW_QUEUE, { policy: 'standard', ...settings });
}

type PreviewEvent = FeedEvent & { event: LinkPreviewsRequest };

/** The feed consumer that queues a job per message that asks for previews (none when turned off). */
export function linkPreviewProducer(
  boss: JobQueue,
  config: Pick<LinkPreviewConfig, 'enabled'>,
): FeedConsumer {
  return {
    name: 'link-previews',
    async handle(tx, events) {
      if (!config.enabled) return;
      const jobs: LinkPreviewJob[] = events
        .filter((e): e is PreviewEvent => e.event.type === 'internal.link_previews')
        .map(({ appId, event }) => ({ appId, messageId: event.message_id }));
      if (jobs.length === 0) return;
      await boss.insert(
        LINK_PREVIEW_QUEUE,
        jobs.map((data) => ({ data })),
        { db: fromKysely(tx) },
      );
    },
  };
}

export interface LinkPreviewWorkerOptions {
  config: LinkPreviewConfig;
  /** Built from `config.allowCidrs`: the webhooks' guard, with this room's own allow-list. */
  guard: TargetGuard;
  publish: Publish;
  logger: Logger;
}

/** Works the link preview queue on this node. Returns `wake` (a job was just queued) and `stop`. */
export async function workLinkPreviews(
  boss: JobQueue,
  data: DataAccess,
  options: LinkPreviewWorkerOptions,
): Promise<{ wake(): void; stop(): Promise<void> }> {
  const workerId = await boss.work(
    LINK_PREVIEW_QUEUE,
    { pollingIntervalSeconds: 2, localConcurrency: CONCURRENCY },
    async ([job]: Job<LinkPreviewJob>[]) => {
      if (!job) return;
      await previewMessage(data.forApp(job.data.appId), job.data.appId, job.data.messageId, options);
    },
  );
  return {
    wake: () => boss.notifyWorker(workerId),
    stop: () => boss.offWork(LINK_PREVIEW_QUEUE, { wait: true }),
  };
}

/** Finds the previews of a message's links and hands them to the domain. */
export async function previewMessage(
  db: AppDb,
  appId: string,
  messageId: string,
  options: LinkPreviewWorkerOptions,
): Promise<void> {
  const links = await linksToPreview(db, messageId);
  if (!links?.length) return;
  const removed = await removedLinks(db, messageId);
  const found = await Promise.all(
    links.map(async (link): Promise<LinkPreview | null> => {
      if (removed.has(link)) return null;
      const page = await pagePreview(db, appId, link, options);
      return page && { url: link, ...page };
    }),
  );
  // The protocol's own check as well: whatever a page said, what is stored is valid on the wire.
  const previews = found.filter((p): p is LinkPreview => p !== null && linkPreview.safeParse(p).success);
  await applyLinkPreviews({ db, publish: options.publish }, appId, messageId, links, previews);
}

async function removedLinks(db: AppDb, messageId: string): Promise<Set<string>> {
  const row = await db
    .selectFrom('messages')
    .select('link_previews_removed')
    .where('id', '=', messageId)
    .executeTakeFirst();
  return new Set(row?.link_previews_removed ?? []);
}

/** What the page of `link` says: from the application's cache while fresh, else fetched and kept. */
async function pagePreview(
  db: AppDb,
  appId: string,
  link: string,
  options: LinkPreviewWorkerOptions,
): Promise<PagePreview | null> {
  const key = new URL(link).href;
  const cached = await db
    .selectFrom('link_preview_cache')
    .select('preview')
    .where('url', '=', key)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  if (cached) return cached.preview && withoutUrl(cached.preview);
  const preview = await fetchPagePreview(key, options);
  const seconds = preview
    ? options.config.cacheSeconds
    : Math.min(MISS_CACHE_SECONDS, options.config.cacheSeconds);
  const entry = {
    preview: preview && JSON.stringify(preview),
    fetched_at: new Date(),
    expires_at: new Date(Date.now() + seconds * 1000),
  };
  await db
    .insertInto('link_preview_cache')
    .values({ app_id: appId, url: key, ...entry })
    .onConflict((oc) => oc.columns(['app_id', 'url']).doUpdateSet(entry))
    .execute();
  return preview;
}

function withoutUrl(stored: LinkPreview | PagePreview): PagePreview {
  const { title, description, site_name, image_url } = stored;
  return { title, description, site_name, image_url };
}

/** Fetches a page within the limits and reads its preview; null for anything else. */
async function fetchPagePreview(url: string, options: LinkPreviewWorkerOptions): Promise<PagePreview | null> {
  const { config, guard, logger } = options;
  const page = await getGuarded(url, {
    guard,
    timeoutMs: config.timeoutMs,
    maxBytes: config.maxBytes,
    maxRedirects: MAX_REDIRECTS,
    accept: (type) => HTML_TYPES.has(type),
    headers: {
      accept: 'text/html,application/xhtml+xml;q=0.9',
      'user-agent': `chat-server/${VERSION} (link previews)`,
    },
  });
  if (!page.ok) {
    logger.debug({ url, refused: page.refused, reason: page.reason }, 'no link preview');
    return null;
  }
  return readPagePreview(decode(page.body, page.charset), page.url);
}

/** The page's text in the charset its answer or its first bytes name; UTF-8 otherwise. */
function decode(body: Buffer, charset: string | undefined): string {
  const declared =
    charset ??
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(body.subarray(0, 1024).toString('latin1'))?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
