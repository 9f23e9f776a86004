import type { Envelope } from '../bus/envelope';
import type { DataAccess } from '../store/data-access';
import { catchUpWatchedChannels } from './catch-up';
import type { Registry } from './registry';

/**
 * Delivers channel events that were committed but never reached this node: the node that wrote
 * one died between its commit and its publish, or the publish was lost on the way. A watcher
 * notices such a hole at the channel's next event and resumes with `since`, but after the last
 * event of a conversation nothing comes next, and the message would stay unseen.
 *
 * So every node looks now and then: a watched channel whose log is ahead of what this node
 * delivered, and was already that far ahead at the previous look, gets the missing events
 * replayed to its watchers here. Waiting one whole interval leaves events that are merely on
 * their way (published, not yet arrived) to the bus, so a healthy channel never gets one twice.
 */
export class TrailingEventSweep {
  /** Each channel found ahead at the last look: the seq its log had then. */
  private ahead = new Map<string, number>();
  private running = false;

  constructor(
    private readonly data: DataAccess,
    private readonly registry: Registry,
    private readonly deliver: (envelope: Envelope) => void,
  ) {}

  /** One look; answers how many events it delivered (0 while a previous look still runs). */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const seen = new Map<string, number>();
    try {
      return await catchUpWatchedChannels(this.data, this.registry, this.deliver, (channelId, logSeq) => {
        seen.set(channelId, logSeq);
        // Only what the log already held a whole interval ago.
        return this.ahead.get(channelId);
      });
    } finally {
      this.ahead = seen;
      this.running = false;
    }
  }
}
