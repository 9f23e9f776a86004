import type { DomainDeps } from '../domain/deps';
import * as appBans from '../domain/moderation/app-bans';
import * as userBlocks from '../domain/moderation/user-blocks';
import type { Handlers } from './handlers';

/** User safety: blocks, app-wide and shadow bans, timeouts. */
export function userSafetyHandlers(
  s: DomainDeps,
): Pick<
  Handlers,
  | 'listBlockedUsers'
  | 'blockUser'
  | 'unblockUser'
  | 'getUserStanding'
  | 'banUserFromApp'
  | 'unbanUserFromApp'
  | 'timeOutUser'
  | 'endUserTimeout'
> {
  const { db, publish } = s;
  const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
  return {
    listBlockedUsers: async ({ actor }) => ({ blocks: await userBlocks.listBlockedUsers(db, actor) }),
    blockUser: async ({ actor, params }) => ({
      block: await userBlocks.blockUser(db, publish, actor, params.userId),
    }),
    unblockUser: async ({ actor, params }) => {
      await userBlocks.unblockUser(db, publish, actor, params.userId);
      return { ok: true as const };
    },
    getUserStanding: async ({ actor, params }) => ({
      standing: await appBans.getStanding(db, actor, params.userId),
    }),
    banUserFromApp: async ({ actor, params, body }) => ({
      standing: await appBans.banFromApp(db, publish, actor, params.userId, {
        expires_at: body.timeout ? secondsFromNow(body.timeout) : null,
        reason: body.reason ?? null,
        shadow: body.shadow ?? false,
      }),
    }),
    unbanUserFromApp: async ({ actor, params, query }) => ({
      standing: await appBans.unbanFromApp(db, publish, actor, params.userId, {
        shadow: query.shadow === 'true',
      }),
    }),
    timeOutUser: async ({ actor, params, body }) => ({
      standing: await appBans.timeOutUser(db, publish, actor, params.userId, {
        until: secondsFromNow(body.timeout),
        reason: body.reason ?? null,
      }),
    }),
    endUserTimeout: async ({ actor, params }) => ({
      standing: await appBans.endTimeout(db, actor, params.userId),
    }),
  };
}
