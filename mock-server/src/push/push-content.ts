import { createHash } from 'node:crypto';
import type { PushPayload, PushSettings } from '@chat/protocol';

/** Characters of a rendered title and body at most (the platforms cut longer ones anyway). */
const TITLE_LENGTH = 200;
const BODY_LENGTH = 500;

/** What a new message's push is about, as its job carries it. */
export interface MessageFacts {
  cid: string;
  messageId: string;
  senderId: string;
  senderName: string;
  /** The channel's name, null for one without (a direct message). */
  channelName: string | null;
  /** The start of the text; empty for a message of attachments only. */
  preview: string;
}

const cut = (text: string, max: number) => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
};

/**
 * Fills a template: `{{sender}}`, `{{channel}}` (the sender's name in a channel without one) and
 * `{{text}}`. Placeholders were checked when the template was set; anything else stays as is.
 */
export function renderTemplate(template: string, facts: MessageFacts): string {
  const values: Record<string, string> = {
    sender: facts.senderName,
    channel: facts.channelName || facts.senderName,
    text: facts.preview || 'Sent an attachment',
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * The push of a new message for one user: the app's template filled in, or in privacy mode
 * (`include_content: false`) ids only; `badge` is the user's unread total; `tag` collapses a
 * channel's notifications into one.
 */
export function messagePayload(settings: PushSettings, facts: MessageFacts, badge: number): PushPayload {
  return {
    type: 'message.new',
    cid: facts.cid,
    message_id: facts.messageId,
    sender_id: facts.senderId,
    ...(settings.include_content && {
      title: cut(renderTemplate(settings.title_template, facts), TITLE_LENGTH),
      body: cut(renderTemplate(settings.body_template, facts), BODY_LENGTH),
    }),
    badge,
    tag: facts.cid,
  };
}

/** The silent push that clears a channel's notifications after a read elsewhere. */
export function readPayload(cid: string, badge: number): PushPayload {
  return { type: 'message.read', cid, badge, tag: cid };
}

/** The payload as FCM's `data` wants it: every value a string. */
export function asStringData(payload: PushPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload)
      .filter(([key]) => key !== 'title' && key !== 'body')
      .map(([key, value]) => [key, String(value)]),
  );
}

/** APNs collapse ids are at most 64 bytes: a longer tag is hashed (the same tag, the same id). */
export function apnsCollapseId(tag: string): string {
  return Buffer.byteLength(tag) <= 64 ? tag : createHash('sha256').update(tag).digest('base64url');
}

/** What iOS shows for a push in privacy mode until the app's notification extension fills it in. */
export const PRIVATE_ALERT = { 'loc-key': 'CHAT_NEW_MESSAGE' } as const;
