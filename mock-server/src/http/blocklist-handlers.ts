import * as blocklists from '../moderation/blocklists';
import type { AppDb } from '../store/app-scope';
import type { Handlers } from './handlers';

export interface BlocklistServices {
  /** Told when an app's lists change, so every node drops its compiled copy. */
  changed(appId: string): Promise<void>;
}

type BlocklistEndpoints =
  | 'createBlocklist'
  | 'listBlocklists'
  | 'getBlocklist'
  | 'updateBlocklist'
  | 'deleteBlocklist'
  | 'changeBlocklistEntries';

/** The blocklist endpoints: app admins and the server token (moderation/blocklists.ts). */
export function blocklistHandlers(db: AppDb, s: BlocklistServices): Pick<Handlers, BlocklistEndpoints> {
  return {
    createBlocklist: async ({ actor, body }) => {
      const blocklist = await blocklists.createBlocklist(db, actor, body);
      await s.changed(actor.appId);
      return { blocklist };
    },
    listBlocklists: async ({ actor }) => ({ blocklists: await blocklists.listBlocklists(db, actor) }),
    getBlocklist: async ({ actor, params }) => ({
      blocklist: await blocklists.getBlocklist(db, actor, params.blocklistId),
    }),
    updateBlocklist: async ({ actor, params, body }) => {
      const blocklist = await blocklists.updateBlocklist(db, actor, params.blocklistId, body);
      await s.changed(actor.appId);
      return { blocklist };
    },
    deleteBlocklist: async ({ actor, params }) => {
      await blocklists.deleteBlocklist(db, actor, params.blocklistId);
      await s.changed(actor.appId);
      return { ok: true as const };
    },
    changeBlocklistEntries: async ({ actor, params, body }) => {
      const blocklist = await blocklists.changeBlocklistEntries(db, actor, params.blocklistId, body);
      await s.changed(actor.appId);
      return { blocklist };
    },
  };
}
