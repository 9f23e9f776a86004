import { randomUUID } from 'node:crypto';
import {
  type BeforeSendRequest,
  beforeSendAnswer,
  type SendMessageBody,
  sendMessageBody,
} from '@chat/protocol';
import type { Logger } from 'pino';
import type { BeforeSendCall, BeforeSendHooks, OutgoingMessage } from '../domain/messages/before-send';
import { ChatError } from '../kernel/errors';
import type { TargetGuard } from '../outbound/target-guard';
import type { DataAccess } from '../store/data-access';
import { postSigned } from './deliver';
import { signingSecrets } from './secrets';

/**
 * The before-send hook: an application's own HTTP endpoint, called with each new message before
 * it is stored (REST and socket alike), signed like a webhook. It answers `allow`, `reject` (with
 * a reason the sender sees) or `rewrite` (new text and/or custom data). No answer in time, an
 * error status, or an answer that is not one of those is a failure: the message is then stored
 * as sent (`on_failure: allow`, the default) or refused with `unavailable`, which the SDK
 * retries later (`reject`).
 *
 * Each node keeps every app's hook settings in memory for `CACHE_MS`, so apps without a hook cost
 * no query per message; a change made on this node applies at once, on other nodes within that.
 */
export const CACHE_MS = 5_000;

interface HookSettings {
  url: string;
  secrets: string[];
  timeoutMs: number;
  failOpen: boolean;
}

export interface BeforeSendOptions {
  data: DataAccess;
  guard: TargetGuard;
  userAgent: string;
  logger: Logger;
}

export class BeforeSendHookClient implements BeforeSendHooks {
  private readonly cache = new Map<string, { settings: HookSettings | null; until: number }>();

  constructor(private readonly options: BeforeSendOptions) {}

  async forApp(appId: string): Promise<BeforeSendCall | null> {
    const settings = await this.settingsOf(appId);
    return settings ? (outgoing) => this.call(appId, settings, outgoing) : null;
  }

  /** Forgets an app's settings (after a change on this node). */
  forget(appId: string): void {
    this.cache.delete(appId);
  }

  private async settingsOf(appId: string): Promise<HookSettings | null> {
    const cached = this.cache.get(appId);
    if (cached && cached.until > Date.now()) return cached.settings;
    const row = await this.options.data
      .forApp(appId)
      .selectFrom('webhooks')
      .select(['url', 'secret', 'previous_secrets', 'timeout_ms', 'fail_open'])
      .where('type', '=', 'before_send')
      .where('is_active', '=', true)
      .executeTakeFirst();
    const settings =
      row?.secret && row.timeout_ms
        ? {
            url: row.url,
            secrets: signingSecrets(row.secret, row.previous_secrets),
            timeoutMs: row.timeout_ms,
            failOpen: row.fail_open ?? true,
          }
        : null;
    this.cache.set(appId, { settings, until: Date.now() + CACHE_MS });
    return settings;
  }

  private async call(
    appId: string,
    settings: HookSettings,
    outgoing: OutgoingMessage,
  ): Promise<SendMessageBody> {
    const { message } = outgoing;
    const request: BeforeSendRequest = {
      type: 'message.before_send',
      timestamp: new Date().toISOString(),
      data: {
        cid: outgoing.cid,
        user: outgoing.user,
        message: {
          client_msg_id: message.client_msg_id,
          text: message.text ?? '',
          ...(message.custom && { custom: message.custom }),
          ...(message.attachments && { attachments: message.attachments }),
          parent_id: message.parent_id ?? null,
          quoted_message_id: message.quoted_message_id ?? null,
          mentioned_user_ids: message.mentioned_user_ids ?? [],
        },
      },
    };
    const result = await postSigned(
      {
        url: settings.url,
        secrets: settings.secrets,
        messageId: `hook_${randomUUID()}`,
        body: JSON.stringify(request),
      },
      { guard: this.options.guard, timeoutMs: settings.timeoutMs, userAgent: this.options.userAgent },
    );
    let failure: string;
    if (!result.ok) failure = result.reason;
    else if (result.status < 200 || result.status >= 300) failure = `answered ${result.status}`;
    else {
      const verdict = readAnswer(result.answer, message);
      if (verdict.ok) return verdict.message;
      failure = verdict.reason;
    }
    this.options.logger.warn(
      { appId, cid: outgoing.cid, reason: failure, failOpen: settings.failOpen },
      settings.failOpen
        ? 'before-send hook failed: the message is stored as sent'
        : 'before-send hook failed: the message is refused',
    );
    if (settings.failOpen) return message;
    throw new ChatError('unavailable', "The application's message check did not answer; try again later", {
      retry_after_ms: 5_000,
    });
  }
}

/** The hook's answer applied to the message; a rejection throws. */
function readAnswer(
  raw: Buffer,
  message: SendMessageBody,
): { ok: true; message: SendMessageBody } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the answer is not JSON' };
  }
  const answer = beforeSendAnswer.safeParse(json);
  if (!answer.success)
    return { ok: false, reason: `the answer is not allow, reject or rewrite: ${answer.error.message}` };
  switch (answer.data.action) {
    case 'allow':
      return { ok: true, message };
    case 'reject':
      throw new ChatError('message_rejected', answer.data.reason ?? 'The message was not accepted');
    case 'rewrite': {
      const rewritten = sendMessageBody.safeParse({
        ...message,
        ...(answer.data.text !== undefined && { text: answer.data.text }),
        ...(answer.data.custom !== undefined && { custom: answer.data.custom }),
      });
      if (!rewritten.success)
        return { ok: false, reason: `the rewritten message is not valid: ${rewritten.error.message}` };
      return { ok: true, message: rewritten.data };
    }
  }
}
