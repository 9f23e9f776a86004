import { httpUrl, LIMITS, type LinkPreview, type Message } from '@chat/protocol';
import { recordAppEvent } from '../../events/app-events';
import { bumpSeq, forgetMessageContent, recordChannelEvent } from '../../events/channel-events';
import type { Actor } from '../../kernel/actor';
import { forbidden, notFound } from '../../kernel/errors';
import type { AppDb } from '../../store/app-scope';
import type { MessageRow } from '../../store/schema';
import type { DomainDeps } from '../deps';
import { toMessages } from '../views';
import { loadMessage, messageView } from './message-access';

/**
 * Link previews on messages. A send (or an edit that changes the links) asks for them through
 * the outbox (`internal.link_previews`, in the write's transaction); a job fetches the pages
 * (storage/link-previews.ts) and hands what they said to `applyLinkPreviews`, which puts them
 * on the message and publishes `message.updated` with the channel's next seq, like any edit.
 * The sender can take one off; it never comes back on that message.
 */

/** A link as written: up to whitespace or a character that cannot be in one unescaped. */
const LINK = /\bhttps?:\/\/[^\s<>"'`\p{Cc}]+/giu;
/** What usually ends a sentence rather than a link. */
const TRAILING = /[.,;:!?'"*_~]+$/;

/** Drops trailing punctuation, and closing brackets the link did not open (`(see https://a.b/x)`). */
function trimLink(raw: string): string {
  let link = raw.replace(TRAILING, '');
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']'],
    ['{', '}'],
  ] as const) {
    while (link.endsWith(close) && link.split(close).length > link.split(open).length) {
      link = link.slice(0, -1).replace(TRAILING, '');
    }
  }
  return link;
}

/**
 * The links of a text that get previews: the first `LINK_PREVIEWS_PER_MESSAGE` distinct http(s)
 * URLs, as written (what a client finds in the text), that are valid URLs of at most the URL limit.
 */
export function previewLinks(text: string): string[] {
  const links: string[] = [];
  for (const match of text.matchAll(LINK)) {
    const link = trimLink(match[0]);
    if (links.includes(link) || !httpUrl.safeParse(link).success) continue;
    if (new URL(link).href.length > LIMITS.URL_LENGTH) continue;
    links.push(link);
    if (links.length === LIMITS.LINK_PREVIEWS_PER_MESSAGE) break;
  }
  return links;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((item, i) => item === b[i]);

/** Asks for the previews of a message just written (in its transaction), when it has links. */
export async function requestLinkPreviews(tx: AppDb, appId: string, messageId: string, text: string) {
  if (previewLinks(text).length === 0) return;
  await recordAppEvent(tx, appId, {
    type: 'internal.link_previews',
    created_at: new Date().toISOString(),
    message_id: messageId,
  });
}

/**
 * What an edit to `text` changes of a message's previews, read and decided under the channel's
 * lock (the caller's transaction took it): nothing when its links stay the same; otherwise the
 * previews and removals of links it keeps stay, the rest go, and the job is asked for the new
 * links' previews.
 */
export async function linkPreviewsAfterEdit(
  tx: AppDb,
  appId: string,
  messageId: string,
  text: string,
): Promise<{ link_previews?: string; link_previews_removed?: string }> {
  const row = await tx
    .selectFrom('messages')
    .select(['text', 'link_previews', 'link_previews_removed', 'link_previews_off'])
    .where('id', '=', messageId)
    .executeTakeFirstOrThrow();
  const links = previewLinks(text);
  if (sameList(links, previewLinks(row.text))) return {};
  const kept = links.flatMap((link) => row.link_previews.filter((p) => p.url === link));
  const removed = row.link_previews_removed.filter((link) => links.includes(link));
  if (!row.link_previews_off) await requestLinkPreviews(tx, appId, messageId, text);
  return { link_previews: JSON.stringify(kept), link_previews_removed: JSON.stringify(removed) };
}

/** What the job needs of a message: its links that want a preview (none when it wants none). */
export async function linksToPreview(db: AppDb, messageId: string): Promise<string[] | null> {
  const row = await db
    .selectFrom('messages')
    .select(['text', 'is_deleted', 'link_previews_off', 'link_previews_removed'])
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!row || row.is_deleted || row.link_previews_off) return null;
  return previewLinks(row.text);
}

/** Thrown inside a transaction to roll it back (the seq it took too) when there is nothing to do. */
class NothingToDo extends Error {}

/**
 * Puts the previews the job found for `links` (the message's links when it looked, in order;
 * `previews` holds those that had one) on the message and publishes the update. Nothing happens
 * when the message changed its links meanwhile (that edit asked for a job of its own), was
 * deleted or hidden, or already shows exactly these; a preview its sender took off stays off.
 * Answers whether the message changed.
 */
export async function applyLinkPreviews(
  deps: DomainDeps,
  appId: string,
  messageId: string,
  links: readonly string[],
  previews: readonly LinkPreview[],
): Promise<boolean> {
  const { db } = deps;
  const target = await db
    .selectFrom('messages')
    .innerJoin('channels', 'channels.id', 'messages.channel_id')
    .select(['messages.channel_id', 'channels.type', 'channels.external_id'])
    .where('messages.id', '=', messageId)
    .executeTakeFirst();
  if (!target) return false;
  const cid = `${target.type}:${target.external_id}`;
  try {
    const event = await db.transaction().execute(async (tx) => {
      // The channel's lock first, as every change of a message takes it: an edit or a removal
      // either committed before this reads the row, or waits until this commits.
      const seq = await bumpSeq(tx, target.channel_id);
      const row = await tx.selectFrom('messages').selectAll().where('id', '=', messageId).executeTakeFirst();
      if (!row || !(await stillShown(tx, row)) || !sameList(previewLinks(row.text), links))
        throw new NothingToDo();
      const removed = new Set(row.link_previews_removed);
      const next = links.flatMap((link) => previews.filter((p) => p.url === link && !removed.has(link)));
      if (JSON.stringify(next) === JSON.stringify(row.link_previews)) throw new NothingToDo();
      const updated = await writePreviews(tx, row, { link_previews: JSON.stringify(next) });
      const [message] = await toMessages(tx, [updated], () => cid, null);
      const event = {
        type: 'message.updated' as const,
        cid,
        seq,
        created_at: new Date().toISOString(),
        message: message!,
      };
      await recordChannelEvent(tx, appId, target.channel_id, event);
      return event;
    });
    deps.publish({ appId, channelId: target.channel_id, event });
    return true;
  } catch (error) {
    if (error instanceof NothingToDo) return false;
    throw error;
  }
}

/** A live message of a live channel, not hidden by a truncate. */
async function stillShown(tx: AppDb, row: MessageRow): Promise<boolean> {
  if (row.is_deleted || row.link_previews_off) return false;
  const channel = await tx
    .selectFrom('channels')
    .select(['deleted_at', 'truncated_at'])
    .where('id', '=', row.channel_id)
    .executeTakeFirst();
  if (!channel || channel.deleted_at) return false;
  return !(channel.truncated_at && row.created_at <= channel.truncated_at);
}

/** Writes preview columns of a message whose events the log must forget (it changes). */
async function writePreviews(tx: AppDb, row: MessageRow, set: Record<string, string>) {
  await forgetMessageContent(tx, row.channel_id, row.id);
  return tx
    .updateTable('messages')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Takes the preview of `url` off a message: its sender only (or a server-side call). It stays
 * off, also when the job has not fetched it yet. Taking off one that is already off changes
 * nothing; a URL that is not one of the message's previewed links is a 404.
 */
export async function removeLinkPreview(
  deps: DomainDeps,
  actor: Actor,
  messageId: string,
  url: string,
): Promise<Message> {
  const { row, access } = await loadMessage(deps.db, actor, messageId, 'read');
  if (!actor.server && row.app_user_id !== actor.userId)
    throw forbidden('Only the sender may remove a link preview');
  if (row.is_deleted || !previewLinks(row.text).includes(url)) throw notFound('Link preview');
  const result = await deps.db.transaction().execute(async (tx) => {
    await tx.selectFrom('channels').select('id').where('id', '=', access.channel.id).forUpdate().execute();
    const current = await tx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    if (current.link_previews_removed.includes(url)) return { row: current, event: null };
    const set = {
      link_previews: JSON.stringify(current.link_previews.filter((p) => p.url !== url)),
      link_previews_removed: JSON.stringify([...current.link_previews_removed, url]),
    };
    const shown = current.link_previews.some((p) => p.url === url);
    if (!shown) {
      // Not fetched yet: only remembered, so the job leaves it out; nobody sees a change.
      await tx.updateTable('messages').set(set).where('id', '=', row.id).execute();
      return { row: current, event: null };
    }
    const seq = await bumpSeq(tx, access.channel.id);
    const updated = await writePreviews(tx, current, set);
    const [message] = await toMessages(tx, [updated], () => access.cid, null);
    const event = {
      type: 'message.updated' as const,
      cid: access.cid,
      seq,
      created_at: new Date().toISOString(),
      message: message!,
    };
    await recordChannelEvent(tx, actor.appId, access.channel.id, event);
    return { row: updated, event };
  });
  if (result.event) deps.publish({ appId: actor.appId, channelId: access.channel.id, event: result.event });
  return messageView(deps.db, actor, access, result.row);
}
