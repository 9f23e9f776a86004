import type { PushPayload } from '@chat/protocol';
import type { OutboundOptions } from '../outbound/post';
import { type ApnsCredentials, ApnsSender } from './apns-sender';
import { type FcmCredentials, FcmSender } from './fcm-sender';
import type { PushDevice } from './recipients';
import { type PushOutcome, sendWebPush, type WebPushKeys } from './web-push-sender';

/** Pushes in flight at once per batch (requests to push services are mostly waiting). */
const PUSHES_AT_ONCE = 64;

/** An application's credentials (opened) for each provider it turned on. */
export interface ProviderCredentials {
  web?: WebPushKeys;
  fcm?: FcmCredentials;
  apns?: ApnsCredentials;
}

export interface PushSend {
  device: PushDevice;
  payload: PushPayload;
}

/** Sends batches of pushes and says what became of each, in order. */
export interface PushTransport {
  send(sends: PushSend[], credentials: ProviderCredentials): Promise<PushOutcome[]>;
  close(): Promise<void>;
}

/**
 * Sends on this thread: the providers' clients keep their connections and access tokens between
 * batches. (The worker runs it on a thread of its own when it can: send-thread.ts.)
 */
export function directTransport(options: OutboundOptions): PushTransport {
  const fcm = new FcmSender(options);
  const apns = new ApnsSender(options);
  const one = ({ device, payload }: PushSend, credentials: ProviderCredentials): Promise<PushOutcome> => {
    const turnedOff = { kind: 'failed', reason: `${device.provider} is turned off` } as const;
    if (device.provider === 'web')
      return credentials.web
        ? sendWebPush(device, payload, credentials.web, options)
        : Promise.resolve(turnedOff);
    if (device.provider === 'fcm')
      return credentials.fcm ? fcm.send(device, payload, credentials.fcm) : Promise.resolve(turnedOff);
    return credentials.apns ? apns.send(device, payload, credentials.apns) : Promise.resolve(turnedOff);
  };
  return {
    send: (sends, credentials) => mapLimit(sends, PUSHES_AT_ONCE, (send) => one(send, credentials)),
    async close() {
      fcm.close();
      apns.close();
    },
  };
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
