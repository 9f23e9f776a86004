import type { Device, PushPreferences, RegisterDeviceBody, SetPushPreferencesBody } from '@chat/protocol';
import type { HttpClient } from './http-client';

/** The parts of a service worker registration `enableWebPush` uses (a browser's, or a test's). */
export interface PushRegistration {
  pushManager: {
    getSubscription(): Promise<{ toJSON(): unknown } | null>;
    subscribe(options: {
      userVisibleOnly: true;
      applicationServerKey: Uint8Array;
    }): Promise<{ toJSON(): unknown }>;
  };
}

/**
 * The user's push devices. A native app registers the token its platform gives it (FCM, or
 * APNs with the build's environment); a web app calls `enableWebPush` with its service worker.
 *
 * @example
 * const registration = await navigator.serviceWorker.register('/chat-sw.js');
 * await client.devices.enableWebPush(registration);
 * // React Native: await client.devices.register({ provider: 'fcm', token: await messaging().getToken() });
 */
export class Devices {
  constructor(private readonly http: HttpClient) {}

  /** Registers (or refreshes) a device for the connected user: it moves from whoever had it. */
  async register(device: RegisterDeviceBody): Promise<Device> {
    return (await this.http.request('registerDevice', { body: device })).device;
  }

  /** The connected user's devices, newest first. */
  async list(): Promise<Device[]> {
    return (await this.http.request('listDevices', {})).devices;
  }

  /** Stops pushing to a device (call it on logout with the id `register` gave). */
  async remove(deviceId: string): Promise<void> {
    await this.http.request('deleteDevice', { params: { deviceId } });
  }

  /** Which messages push to the user: a level, per-channel levels, do-not-disturb. */
  async preferences(): Promise<PushPreferences> {
    return (await this.http.request('getPushPreferences', {})).preferences;
  }

  /**
   * Changes what is given: `{ level: 'mentions' }`, `{ dnd_until: iso | null }`,
   * `{ channels: [{ cid, level: 'none' | null }] }` (null: back to the user's level).
   */
  async setPreferences(change: SetPushPreferencesBody): Promise<PushPreferences> {
    return (await this.http.request('setPushPreferences', { body: change })).preferences;
  }

  /** The application's public VAPID key, or null when it has not turned Web Push on. */
  async webPushKey(): Promise<string | null> {
    return (await this.http.request('getPushConfig', {})).web?.vapid_public_key ?? null;
  }

  /**
   * Subscribes this browser to push with the app's VAPID key (reusing a subscription it already
   * has) and registers it. Ask for notification permission first (`Notification.requestPermission()`,
   * from a click): a browser refuses to subscribe without it.
   */
  async enableWebPush(registration: PushRegistration, options: { name?: string } = {}): Promise<Device> {
    // Only apps that turn Web Push on load this part.
    return (await import('./web-push')).enableWebPush(this, registration, options);
  }
}
