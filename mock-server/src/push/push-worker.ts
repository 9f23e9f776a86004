import type { JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { type JobPump, type JobResult, startJobPump } from '../jobs/job-pump';
import type { JobQueue } from '../jobs/job-queue';
import type { OutboundOptions } from '../outbound/post';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import type { PushProvider } from '../store/schema';
import { ApnsSender } from './apns-sender';
import { FcmSender, type PushContent } from './fcm-sender';
import { loadProviders, type SecretBoxOrReason } from './provider-settings';
import { PUSH_QUEUE, type PushJob } from './push-queue';
import { type PushDevice, pushDevicesFor } from './recipients';
import { type PushOutcome, sendWebPush } from './web-push-sender';

/** Push jobs one worker node works at once (each waits on push services, not on CPU). */
const JOBS_AT_ONCE = 16;
/** Pushes one job has in flight at once. */
const PUSHES_AT_ONCE = 8;

export interface PushWorkerOptions extends OutboundOptions {
  secrets: SecretBoxOrReason;
  logger: Logger;
}

/** Works the push queue on this node. `wake()` the pump when pushes were queued. */
export function workPushes(boss: JobQueue, data: DataAccess, options: PushWorkerOptions): JobPump {
  const services = { fcm: new FcmSender(options), apns: new ApnsSender(options) };
  const pump = startJobPump<PushJob>(boss, {
    queue: PUSH_QUEUE,
    concurrency: JOBS_AT_ONCE,
    idleMs: 500,
    touchEveryMs: 5_000,
    logger: options.logger,
    handle: (job) => pushMessage(job, data.forApp(job.data.appId), options, services),
  });
  return {
    wake: pump.wake,
    async stop(timeoutMs) {
      await pump.stop(timeoutMs);
      services.apns.close();
    },
  };
}

/**
 * Pushes one message: finds its devices (on the first attempt, and again on a retry: someone who
 * went offline meanwhile is added), records a pending send per device (a device already sent to
 * keeps its record, so nothing goes twice), and sends the pending ones.
 */
async function pushMessage(
  job: JobWithMetadata<PushJob>,
  db: AppDb,
  options: PushWorkerOptions,
  services: Services,
): Promise<JobResult> {
  const message = job.data;
  const senders = await sendersFor(db, message, options, services);
  // Turned off since: nothing to send.
  if (senders.size === 0) return { done: true };
  const devices = await pushDevicesFor(
    db,
    { channelId: message.channelId, senderId: message.senderId, mentioned: message.mentioned ?? [] },
    [...senders.keys()],
  );
  if (devices.length > 0)
    await db
      .insertInto('push_sends')
      .values(devices.map((d) => ({ app_id: message.appId, event_id: message.eventId, device_id: d.id })))
      .onConflict((oc) => oc.columns(['event_id', 'device_id']).doNothing())
      .execute();
  const pending = new Set(
    (
      await db
        .selectFrom('push_sends')
        .select('device_id')
        .where('event_id', '=', message.eventId)
        .where('state', '=', 'pending')
        .execute()
    ).map((row) => row.device_id),
  );
  const toSend = devices.filter((d) => pending.has(d.id));
  const lastChance = job.retryCount >= job.retryLimit;
  const outcomes = await mapLimit(toSend, PUSHES_AT_ONCE, (device) => senders.get(device.provider)!(device));
  let retryAfter = 0;
  let retries = 0;
  for (const [i, outcome] of outcomes.entries()) {
    const device = toSend[i]!;
    if (outcome.kind === 'retry') {
      retries++;
      retryAfter = Math.max(retryAfter, outcome.retryAfterMs ?? 0);
    }
    await recordSend(db, message.eventId, device.id, outcome, lastChance);
    if (outcome.kind === 'gone')
      await db.deleteFrom('app_user_devices').where('id', '=', device.id).execute();
  }
  // Devices pending from an earlier attempt that are no longer recipients (came online, muted,
  // removed): nothing is sent to them.
  const dropped = [...pending].filter((id) => !toSend.some((d) => d.id === id));
  if (dropped.length > 0)
    await db
      .updateTable('push_sends')
      .set({ state: 'failed', last_error: 'no longer a recipient', updated_at: new Date() })
      .where('event_id', '=', message.eventId)
      .where('device_id', 'in', dropped)
      .execute();
  if (retries === 0 || lastChance) return { done: true };
  return {
    done: false,
    reason: `${retries} push${retries === 1 ? '' : 'es'} to retry`,
    ...(retryAfter > 0 && { notBefore: new Date(Date.now() + retryAfter) }),
  };
}

type Sender = (device: PushDevice) => Promise<PushOutcome>;
/** The providers' clients of this worker: they keep access tokens and connections. */
interface Services {
  fcm: FcmSender;
  apns: ApnsSender;
}

/** A sender per provider the application turned on, for this message. */
async function sendersFor(
  db: AppDb,
  message: PushJob,
  options: PushWorkerOptions,
  services: Services,
): Promise<Map<PushProvider, Sender>> {
  const providers = await loadProviders(db, options.secrets);
  const senders = new Map<PushProvider, Sender>();
  const web = providers.get('web');
  if (web) {
    const payload = JSON.stringify({
      type: 'message.new',
      cid: message.cid,
      message_id: message.messageId,
      title: message.senderName,
      body: message.preview,
      tag: message.cid,
    });
    const keys = {
      subject: web.settings.subject ?? '',
      publicKey: web.settings.vapid_public_key ?? '',
      privateKey: web.secret,
    };
    senders.set('web', (device) => sendWebPush(device, payload, message.cid, keys, options));
  }
  const content: PushContent = {
    title: message.senderName,
    body: message.preview,
    data: { type: 'message.new', cid: message.cid, message_id: message.messageId },
    collapseKey: message.cid,
  };
  const account = providers.get('fcm');
  if (account) {
    const secret = JSON.parse(account.secret) as { private_key: string; private_key_id: string | null };
    const credentials = {
      projectId: account.settings.project_id ?? '',
      clientEmail: account.settings.client_email ?? '',
      baseUrl: account.settings.base_url ?? '',
      tokenUri: account.settings.token_uri ?? '',
      privateKey: secret.private_key,
      privateKeyId: secret.private_key_id,
      version: account.updatedAt.toISOString(),
    };
    senders.set('fcm', (device) => services.fcm.send(device, content, credentials));
  }
  const apns = providers.get('apns');
  if (apns) {
    const credentials = {
      keyId: apns.settings.key_id ?? '',
      teamId: apns.settings.team_id ?? '',
      bundleId: apns.settings.bundle_id ?? '',
      productionUrl: apns.settings.production_url ?? '',
      sandboxUrl: apns.settings.sandbox_url ?? '',
      key: apns.secret,
      version: apns.updatedAt.toISOString(),
    };
    senders.set('apns', (device) => services.apns.send(device, content, credentials));
  }
  return senders;
}

async function recordSend(
  db: AppDb,
  eventId: string,
  deviceId: string,
  outcome: PushOutcome,
  lastChance: boolean,
): Promise<void> {
  const state =
    outcome.kind === 'sent'
      ? 'sent'
      : outcome.kind === 'gone'
        ? 'removed'
        : outcome.kind === 'failed' || lastChance
          ? 'failed'
          : 'pending';
  await db
    .updateTable('push_sends')
    .set((eb) => ({
      state,
      attempts: eb('attempts', '+', 1),
      last_status: 'status' in outcome ? (outcome.status ?? null) : null,
      last_error: 'reason' in outcome ? outcome.reason.slice(0, 500) : null,
      updated_at: new Date(),
    }))
    .where('event_id', '=', eventId)
    .where('device_id', '=', deviceId)
    .execute();
}

/** `fn` over `items`, at most `limit` at once, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
