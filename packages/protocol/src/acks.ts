import { z } from 'zod';
import { readState } from './entities/channel';
import { message } from './entities/message';
import { chatEvent } from './events';
import type { ClientFrameType } from './frames';
import { channelState } from './rest/channels';

const empty = z.object({});
const messageResult = z.object({ message });

/** What the `ack` of each request frame carries in `result`. */
export const ackResults = {
  auth: z.object({ connection_id: z.string() }),
  'channel.watch': z.object({
    /**
     * True when `events` holds everything after `since`, and `state` only the channel, the
     * caller's membership and draft (its messages, members and read states are empty: the events
     * bring what changed); false when `state` is a fresh load.
     */
    recovered: z.boolean(),
    events: z.array(chatEvent),
    state: channelState,
    /** Users watching the channel now (this one included), across every node. */
    watcher_count: z.number().int().min(0),
  }),
  'channel.unwatch': empty,
  'message.send': messageResult,
  'message.update': messageResult,
  'message.delete': messageResult,
  'reaction.add': messageResult,
  'reaction.remove': messageResult,
  'typing.start': empty,
  'typing.stop': empty,
  'read.mark': z.object({ read: readState }),
  ping: empty,
} as const satisfies Record<ClientFrameType, z.ZodType>;

export type AckResult<T extends ClientFrameType> = z.infer<(typeof ackResults)[T]>;
