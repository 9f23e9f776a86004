import { setSlowMode } from '../domain/channels/slow-mode';
import type { DomainDeps } from '../domain/deps';
import * as pins from '../domain/messages/pins';
import type { Handlers } from './handlers';

/** Channel moderation: slow mode, pinning and the pinned-messages list. */
export function channelModerationHandlers(
  s: DomainDeps,
): Pick<Handlers, 'setSlowMode' | 'listPinnedMessages' | 'pinMessage' | 'unpinMessage'> {
  return {
    setSlowMode: async ({ actor, params, body }) => ({
      channel: await setSlowMode(s, actor, params.type, params.id, body.slow_mode_s),
    }),
    listPinnedMessages: ({ actor, params, query }) =>
      pins.listPinnedMessages(s, actor, params.type, params.id, query),
    pinMessage: async ({ actor, params }) => ({ message: await pins.setPinned(s, actor, params.id, true) }),
    unpinMessage: async ({ actor, params }) => ({
      message: await pins.setPinned(s, actor, params.id, false),
    }),
  };
}
