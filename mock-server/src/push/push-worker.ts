import type { PushPayload } from '@chat/protocol';
import type { JobWithMetadata } from 'pg-boss';
import type { Logger } from 'pino';
import { unreadTotals } from '../domain/reads/unread';
import { type JobPump, type JobResult, startJobPump } from '../jobs/job-pump';
import type { JobQueue } from '../jobs/job-queue';
import type { Metrics } from '../observability/metrics';
import type { OutboundOptions } from '../outbound/post';
import type { AppDb } from '../store/app-scope';
import type { DataAccess } from '../store/data-access';
import type { PushProvider } from '../store/schema';
import { loadProviders, type SecretBoxOrReason } from './provider-settings';
import { messagePayload, readPayload } from './push-content';
import { type MessagePushJob, PUSH_QUEUE, type PushJob, type ReadPushJob } from './push-queue';
import { countPushes, getPushSettings, type PushTally } from './push-settings';
import {
  directTransport,
  type ProviderCredentials,
  type PushSend,
  type PushTransport,
} from './push-transport';
import { devicesToClear, type PushDevice, pushDevicesFor, pushInFlight } from './recipients';
import { dropSends, pendingDevices, recordAttempts, recordPending, stateAfter } from './send-log';
import { sendThreadScript, threadTransport } from './thread-transport';
import type { PushOutcome } from './web-push-sender';

/** Push jobs one worker node works at once (each waits on push services, not on CPU). */
const JOBS_AT_ONCE = 16;
/** Devices claimed, sent to and recorded together (see `deliver`). */
const CHUNK = 500;

export interface PushWorkerOptions extends OutboundOptions {
  /** Addresses the guard lets through (the send thread builds its own guard from them). */
  allowCidrs: readonly string[];
  secrets: SecretBoxOrReason;
  logger: Logger;
  /** Where each push's outcome is counted (observability/metrics.ts). */
  metrics?: Pick<Metrics, 'pushAttempt'>;
}

/**
 * Works the push queue on this node. `wake()` the pump when pushes were queued. The pushes
 * themselves go out from a thread of their own when the server runs from its build (TLS, HTTP/2
 * and Web Push encryption then stay off the event loop that answers requests and sockets); from
 * the sources (the tests) they go out on this thread, through the same code.
 */
export function workPushes(boss: JobQueue, data: DataAccess, options: PushWorkerOptions): JobPump {
  const script = sendThreadScript();
  const transport = script
    ? threadTransport(script, {
        allowCidrs: options.allowCidrs,
        timeoutMs: options.timeoutMs,
        ...(options.ca && { ca: options.ca }),
      })
    : directTransport(options);
  options.logger.debug(`push sends run on ${script ? 'a thread of their own' : 'the main thread'}`);
  const pump = startJobPump<PushJob>(boss, {
    queue: PUSH_QUEUE,
    concurrency: JOBS_AT_ONCE,
    idleMs: 500,
    touchEveryMs: 5_000,
    logger: options.logger,
    handle: (job) => pushJob(job, data.forApp(job.data.appId), options, transport),
  });
  return {
    wake: pump.wake,
    async stop(timeoutMs) {
      await pump.stop(timeoutMs);
      await transport.close();
    },
  };
}

/**
 * Works one job: finds the devices and what each is sent, records a pending send per device (a
 * device already sent to keeps its record, so nothing goes twice), sends the pending ones, and
 * counts what became of them.
 */
async function pushJob(
  job: JobWithMetadata<PushJob>,
  db: AppDb,
  options: PushWorkerOptions,
  transport: PushTransport,
): Promise<JobResult> {
  const credentials = await credentialsFor(db, options);
  const providers = Object.keys(credentials) as PushProvider[];
  // Turned off since: nothing to send.
  if (providers.length === 0) return { done: true };
  const send = async (sends: PushSend[]) => {
    const outcomes = await transport.send(sends, credentials);
    if (options.metrics)
      for (const [k, outcome] of outcomes.entries())
        options.metrics.pushAttempt(sends[k]!.device.provider, outcome.kind);
    return outcomes;
  };
  if (job.data.kind === 'read') {
    // A clear must not overtake the push it clears: wait until that one is sent (or given up).
    if (await pushInFlight(db, job.data))
      return {
        done: false,
        reason: 'a push to clear is still being sent',
        notBefore: new Date(Date.now() + 2_000),
      };
    return deliver(job, db, await planRead(db, job.data, providers), send);
  }
  return deliver(job, db, await planMessage(db, job.data, providers), send);
}

/** Who gets what: each device, and (loaded a chunk at a time) its user's payload. */
interface Plan {
  devices: PushDevice[];
  payloadsFor(devices: readonly PushDevice[]): Promise<(device: PushDevice) => PushPayload>;
  /** The channel a send is about (it can be cleared by a read), or null (a clearing send). */
  channelId: string | null;
}

/** A new message: its recipients' devices (found again on a retry: someone who went offline meanwhile is added). */
async function planMessage(db: AppDb, message: MessagePushJob, providers: PushProvider[]): Promise<Plan> {
  const devices = await pushDevicesFor(
    db,
    {
      channelId: message.channelId,
      senderId: message.senderId,
      mentioned: message.mentioned ?? [],
      parentId: message.parentId ?? null,
      messageId: message.messageId,
    },
    providers,
  );
  if (devices.length === 0) return { devices, channelId: message.channelId, payloadsFor: noPayloads };
  const [settings, channel] = await Promise.all([
    getPushSettings(db),
    db.selectFrom('channels').select('name').where('id', '=', message.channelId).executeTakeFirst(),
  ]);
  const facts = { ...message, channelName: channel?.name ?? null };
  return {
    devices,
    channelId: message.channelId,
    // Each user's badge, read as their devices' turn comes (a badge read then is also fresher).
    async payloadsFor(chunk) {
      const badges = await unreadTotals(db, [...new Set(chunk.map((d) => d.app_user_id))]);
      const payloads = new Map<string, PushPayload>();
      return (device) => {
        let payload = payloads.get(device.app_user_id);
        if (!payload) {
          payload = messagePayload(settings, facts, badges.get(device.app_user_id) ?? 0);
          payloads.set(device.app_user_id, payload);
        }
        return payload;
      };
    },
  };
}

/** The payloads of a plan without devices: never asked for. */
const noPayloads = async (): Promise<(device: PushDevice) => PushPayload> => () => {
  throw new Error('a plan without devices has no payloads');
};

/**
 * A read: the reader's devices shown something of the channel since the last clear, marked
 * cleared now (a later read does not clear them again), plus those of this job still pending.
 */
async function planRead(db: AppDb, read: ReadPushJob, providers: PushProvider[]): Promise<Plan> {
  const fresh = await devicesToClear(db, { channelId: read.channelId, userId: read.userId }, providers);
  if (fresh.length > 0)
    await db
      .updateTable('push_sends')
      .set({ cleared_at: new Date() })
      .where('channel_id', '=', read.channelId)
      .where(
        'device_id',
        'in',
        fresh.map((d) => d.id),
      )
      .where('cleared_at', 'is', null)
      .execute();
  const pending = await db
    .selectFrom('push_sends as s')
    .innerJoin('app_user_devices as d', 'd.id', 's.device_id')
    .select([
      'd.id',
      'd.app_user_id',
      'd.platform as provider',
      'd.push_token as token',
      'd.web_p256dh',
      'd.web_auth',
      'd.apns_environment',
    ])
    .where('s.event_id', '=', read.eventId)
    .where('s.state', '=', 'pending')
    .where('d.platform', 'in', providers)
    .execute();
  const devices = [...new Map([...fresh, ...pending].map((d) => [d.id, d])).values()];
  const userIds = [...new Set(devices.map((d) => d.app_user_id))];
  const badge = (await unreadTotals(db, userIds)).get(userIds[0] ?? '') ?? 0;
  const payload = readPayload(read.cid, badge);
  return { devices, payloadsFor: async () => () => payload, channelId: null };
}

/**
 * Sends a plan's pushes a chunk at a time. A chunk is claimed (a pending send recorded for each of
 * its devices that has none; those already sent, failed or removed are skipped) and its payloads
 * read while the chunk before it is being sent, and its outcomes are recorded while the next one
 * is: the database's work overlaps the push services', and no statement holds up the rest (on
 * the embedded database, the one connection) for longer than a chunk's. A worker that dies
 * mid-job repeats at most the two chunks whose outcomes were not recorded yet.
 */
async function deliver(
  job: JobWithMetadata<PushJob>,
  db: AppDb,
  plan: Plan,
  send: (sends: PushSend[]) => Promise<PushOutcome[]>,
): Promise<JobResult> {
  const { appId, eventId } = job.data;
  const { devices } = plan;
  // Sends pending from an earlier attempt (those that are no longer recipients are dropped).
  const pendingBefore = await pendingDevices(db, eventId);
  const lastChance = job.retryCount >= job.retryLimit;
  let retryAfter = 0;
  let retries = 0;
  const tally: PushTally = { sent: 0, failed: 0, removed: 0 };

  const prepare = async (chunk: PushDevice[]) => {
    const ids = chunk.map((d) => d.id);
    await recordPending(db, { appId, eventId, channelId: plan.channelId }, ids);
    const pending = await pendingDevices(db, eventId, ids);
    const toSend = chunk.filter((d) => pending.has(d.id));
    return { toSend, payloadOf: await plan.payloadsFor(toSend) };
  };
  const record = async (toSend: PushDevice[], outcomes: PushOutcome[]) => {
    const records = outcomes.map((outcome, k) => ({
      deviceId: toSend[k]!.id,
      outcome,
      state: stateAfter(outcome, lastChance),
    }));
    await recordAttempts(db, eventId, records);
    const gone = records.filter((r) => r.outcome.kind === 'gone').map((r) => r.deviceId);
    if (gone.length > 0) await db.deleteFrom('app_user_devices').where('id', 'in', gone).execute();
    for (const { outcome, state } of records) {
      if (state !== 'pending') tally[state]++;
      if (outcome.kind === 'retry') {
        retries++;
        retryAfter = Math.max(retryAfter, outcome.retryAfterMs ?? 0);
      }
    }
  };

  let prepared = devices.length > 0 ? settled(prepare(devices.slice(0, CHUNK))) : null;
  let recording: Promise<void> = Promise.resolve();
  for (let i = 0; prepared; i += CHUNK) {
    const { toSend, payloadOf } = await prepared;
    prepared = i + CHUNK < devices.length ? settled(prepare(devices.slice(i + CHUNK, i + 2 * CHUNK))) : null;
    const outcomes = await send(toSend.map((device) => ({ device, payload: payloadOf(device) })));
    // The previous chunk's record is awaited first: one chunk's outcomes at a time, in order.
    await recording;
    recording = settled(record(toSend, outcomes));
  }
  await recording;

  const recipients = new Set(devices.map((d) => d.id));
  await dropSends(
    db,
    eventId,
    [...pendingBefore].filter((id) => !recipients.has(id)),
  );
  await countPushes(db, appId, tally);
  if (retries === 0 || lastChance) return { done: true };
  return {
    done: false,
    reason: `${retries} push${retries === 1 ? '' : 'es'} to retry`,
    ...(retryAfter > 0 && { notBefore: new Date(Date.now() + retryAfter) }),
  };
}

/**
 * A promise awaited later, not now: its failure is handled (the process does not see an
 * unhandled rejection meanwhile) and still thrown to whoever awaits it.
 */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** The credentials of each provider the application turned on. */
async function credentialsFor(db: AppDb, options: PushWorkerOptions): Promise<ProviderCredentials> {
  const providers = await loadProviders(db, options.secrets);
  const credentials: ProviderCredentials = {};
  const web = providers.get('web');
  if (web)
    credentials.web = {
      subject: web.settings.subject ?? '',
      publicKey: web.settings.vapid_public_key ?? '',
      privateKey: web.secret,
    };
  const account = providers.get('fcm');
  if (account) {
    const secret = JSON.parse(account.secret) as { private_key: string; private_key_id: string | null };
    credentials.fcm = {
      projectId: account.settings.project_id ?? '',
      clientEmail: account.settings.client_email ?? '',
      baseUrl: account.settings.base_url ?? '',
      tokenUri: account.settings.token_uri ?? '',
      privateKey: secret.private_key,
      privateKeyId: secret.private_key_id,
      version: account.updatedAt.toISOString(),
    };
  }
  const apns = providers.get('apns');
  if (apns)
    credentials.apns = {
      keyId: apns.settings.key_id ?? '',
      teamId: apns.settings.team_id ?? '',
      bundleId: apns.settings.bundle_id ?? '',
      productionUrl: apns.settings.production_url ?? '',
      sandboxUrl: apns.settings.sandbox_url ?? '',
      key: apns.secret,
      version: apns.updatedAt.toISOString(),
    };
  return credentials;
}
