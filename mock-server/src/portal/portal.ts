import type { Publish } from '../events/published-event';
import type { DataAccess } from '../store/data-access';
import { PortalAccounts } from './accounts';
import { createPortalHandlers } from './handlers';
import { createPortalTokens } from './portal-tokens';
import type { registerPortalRoutes } from './routes';

/**
 * The portal of this server: its accounts and handlers, or why it cannot run (no server key to
 * sign its tokens with).
 */
export function createPortal(options: {
  data: DataAccess;
  publish: Publish;
  serverKey: { key: string } | { unavailable: string };
  maxTokenLifetimeSeconds: number;
  signUpsPerAddressPerHour: number;
}): Parameters<typeof registerPortalRoutes>[1] {
  if (!('key' in options.serverKey)) {
    return {
      unavailable: `The portal signs its tokens with the server key. ${options.serverKey.unavailable}`,
    };
  }
  const db = options.data.platform;
  const accounts = new PortalAccounts(db, createPortalTokens(options.serverKey.key), {
    signUpsPerAddressPerHour: options.signUpsPerAddressPerHour,
  });
  return {
    handlers: createPortalHandlers({
      db,
      data: options.data,
      publish: options.publish,
      accounts,
      maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
    }),
    authenticate: (authorization) => accounts.authenticate(authorization),
  };
}
