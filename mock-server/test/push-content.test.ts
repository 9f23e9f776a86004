import type { PushSettings } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { apnsBody } from '../src/push/apns-sender';
import { fcmMessage } from '../src/push/fcm-sender';
import {
  apnsCollapseId,
  asStringData,
  messagePayload,
  readPayload,
  renderTemplate,
} from '../src/push/push-content';

/** What a push says, per provider: the template, privacy mode, reads, and the platforms' limits. */
const facts = {
  cid: 'messaging:lunch',
  messageId: 'm1',
  senderId: 'alice',
  senderName: 'Alice',
  channelName: 'Lunch crew' as string | null,
  preview: 'Pizza at noon?',
};
const shown: PushSettings = {
  title_template: '{{sender}} in {{channel}}',
  body_template: '{{text}}',
  include_content: true,
  updated_at: null,
};
const privateMode: PushSettings = { ...shown, include_content: false };

describe('push content', () => {
  it('fills the template; a nameless channel is the sender, an attachment-only message says so', () => {
    expect(renderTemplate('{{sender}} in {{ channel }}: {{text}}', facts)).toBe(
      'Alice in Lunch crew: Pizza at noon?',
    );
    expect(renderTemplate('{{channel}}', { ...facts, channelName: null })).toBe('Alice');
    expect(renderTemplate('{{channel}}', { ...facts, channelName: '' })).toBe('Alice');
    expect(renderTemplate('{{text}}', { ...facts, preview: '' })).toBe('Sent an attachment');
    // Unknown placeholders are refused when set; here they stay as they are.
    expect(renderTemplate('{{nope}} {{text', facts)).toBe('{{nope}} {{text');
  });

  it('cuts long titles and bodies on characters, not inside an emoji', () => {
    const payload = messagePayload(shown, { ...facts, preview: '😀'.repeat(600) }, 4) as {
      title?: string;
      body?: string;
    };
    expect([...(payload.title ?? '')].length).toBeLessThanOrEqual(200);
    expect([...(payload.body ?? '')]).toHaveLength(500);
    expect(payload.body?.endsWith('😀…')).toBe(true);
    expect(payload.body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('FCM: a notification with the badge and the channel as collapse key; privacy mode sends ids only', () => {
    const message = fcmMessage('tok', messagePayload(shown, facts, 3));
    expect(message).toMatchObject({
      token: 'tok',
      notification: { title: 'Alice in Lunch crew', body: 'Pizza at noon?' },
      data: { type: 'message.new', cid: facts.cid, message_id: 'm1', sender_id: 'alice', badge: '3' },
      android: { collapse_key: facts.cid, notification: { tag: facts.cid, notification_count: 3 } },
      apns: { headers: { 'apns-collapse-id': facts.cid }, payload: { aps: { badge: 3 } } },
    });
    const secret = fcmMessage('tok', messagePayload(privateMode, facts, 3));
    expect(secret).not.toHaveProperty('notification');
    expect(secret.android).not.toHaveProperty('notification');
    expect(secret.apns.payload.aps).toMatchObject({
      alert: { 'loc-key': 'CHAT_NEW_MESSAGE' },
      'mutable-content': 1,
    });
    expect(JSON.stringify(secret)).not.toMatch(/Pizza|Alice|Lunch/);
    // Every data value is a string, as FCM requires.
    for (const value of Object.values(secret.data)) expect(typeof value).toBe('string');
  });

  it('a read elsewhere is a silent clear: data only on FCM, a background push on APNs', () => {
    const clear = fcmMessage('tok', readPayload(facts.cid, 0));
    expect(clear).not.toHaveProperty('notification');
    expect(clear.apns).toMatchObject({
      headers: { 'apns-push-type': 'background', 'apns-priority': '5' },
      payload: { aps: { 'content-available': 1, badge: 0 } },
    });
    expect(apnsBody(readPayload(facts.cid, 2))).toEqual({
      aps: { 'content-available': 1, badge: 2 },
      type: 'message.read',
      cid: facts.cid,
      badge: 2,
      tag: facts.cid,
    });
  });

  it('APNs: an alert, or in privacy mode a placeholder for the app’s extension, never the text', () => {
    expect(apnsBody(messagePayload(shown, facts, 1)).aps).toMatchObject({
      alert: { title: 'Alice in Lunch crew', body: 'Pizza at noon?' },
      badge: 1,
      'thread-id': facts.cid,
    });
    const secret = apnsBody(messagePayload(privateMode, facts, 1));
    expect(secret.aps).toMatchObject({ alert: { 'loc-key': 'CHAT_NEW_MESSAGE' }, 'mutable-content': 1 });
    expect(JSON.stringify(secret)).not.toMatch(/Pizza|Alice|Lunch/);
  });

  it('collapse ids fit APNs’s 64 bytes (the same tag, the same id); FCM data drops title and body', () => {
    expect(apnsCollapseId('messaging:short')).toBe('messaging:short');
    const long = `messaging:${'x'.repeat(80)}`;
    expect(Buffer.byteLength(apnsCollapseId(long))).toBeLessThanOrEqual(64);
    expect(apnsCollapseId(long)).toBe(apnsCollapseId(long));
    expect(apnsCollapseId(long)).not.toBe(apnsCollapseId(`${long}y`));
    expect(asStringData(messagePayload(shown, facts, 7))).toEqual({
      type: 'message.new',
      cid: facts.cid,
      message_id: 'm1',
      sender_id: 'alice',
      badge: '7',
      tag: facts.cid,
    });
  });
});
