import type { Device, RegisterDeviceBody } from '@chat/protocol';
import type { Devices, PushRegistration } from './devices';
import { ChatError } from './errors';

/** `Devices.enableWebPush`: subscribes with the app's VAPID key (or reuses the subscription) and registers it. */
export async function enableWebPush(
  devices: Devices,
  registration: PushRegistration,
  options: { name?: string },
): Promise<Device> {
  const key = await devices.webPushKey();
  if (!key)
    throw new ChatError({
      code: 'not_found',
      status: 404,
      message: 'Web Push is not turned on for this application',
    });
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64url(key),
    }));
  const json = subscription.toJSON() as Extract<RegisterDeviceBody, { provider: 'web' }>['subscription'];
  return devices.register({
    provider: 'web',
    subscription: { endpoint: json.endpoint, keys: json.keys },
    ...(options.name && { name: options.name }),
  });
}

function fromBase64url(text: string): Uint8Array {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
