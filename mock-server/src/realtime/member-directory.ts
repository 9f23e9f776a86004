import type { DataAccess } from '../store/data-access';

/** How many channels' member lists a node keeps at most (least recently used go first). */
const MAX_CHANNELS = 10_000;

/**
 * The members of recently active channels, cached per node, so that finding who must hear of a
 * message costs the size of the channel, not the number of users connected to the node. Every
 * node sees every channel's member events on the bus and drops the channel's entry on each one;
 * the next message loads it again.
 */
export class MemberDirectory {
  private readonly channels = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly data: DataAccess,
    private readonly maxChannels = MAX_CHANNELS,
  ) {}

  /** The user ids of the channel's members (banned ones included). */
  membersOf(appId: string, channelId: string): Promise<ReadonlySet<string>> {
    let members = this.channels.get(channelId);
    if (members) {
      // Map order is insertion order: re-inserting marks the entry as recently used.
      this.channels.delete(channelId);
    } else {
      members = this.load(appId, channelId);
      // A failed load is not remembered: the next message tries again.
      members.catch(() => this.forget(channelId, members!));
    }
    this.channels.set(channelId, members);
    if (this.channels.size > this.maxChannels) {
      this.channels.delete(this.channels.keys().next().value as string);
    }
    return members;
  }

  /** The channel's members changed (or it is gone): load them again when next needed. */
  invalidate(channelId: string): void {
    this.channels.delete(channelId);
  }

  private forget(channelId: string, members: Promise<ReadonlySet<string>>): void {
    if (this.channels.get(channelId) === members) this.channels.delete(channelId);
  }

  private async load(appId: string, channelId: string): Promise<ReadonlySet<string>> {
    const rows = await this.data
      .forApp(appId)
      .selectFrom('channel_members')
      .select('app_user_id')
      .where('channel_id', '=', channelId)
      .execute();
    return new Set(rows.map((r) => r.app_user_id));
  }
}
