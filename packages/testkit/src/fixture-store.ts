import type { ChannelRecord, MessageRecord, UserRecord } from './records';
import type { ViewContext } from './views';

/**
 * The kit's in-memory data: users, channels with their members, messages with their reactions.
 * Plain maps, read by the views and changed only by the operations (channel-ops.ts,
 * message-ops.ts), which keep seqs and the event log consistent.
 */
export class FixtureStore implements ViewContext {
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  private readonly messagesById = new Map<string, MessageRecord>();
  /** Each channel's messages (replies too) in seq order. */
  private readonly messagesByCid = new Map<string, MessageRecord[]>();
  /** Who is online: set by the socket gateway (users with an open, authenticated socket). */
  isOnline: (userId: string) => boolean = () => false;

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  message(id: string): MessageRecord | undefined {
    return this.messagesById.get(id);
  }

  messagesOf(cid: string): readonly MessageRecord[] {
    return this.messagesByCid.get(cid) ?? [];
  }

  addMessage(message: MessageRecord): void {
    this.messagesById.set(message.id, message);
    const list = this.messagesByCid.get(message.cid) ?? [];
    list.push(message);
    this.messagesByCid.set(message.cid, list);
  }

  /** The sent message of `userId` with this client id, if any (sends are idempotent by it). */
  byClientId(userId: string, clientMsgId: string): MessageRecord | undefined {
    for (const m of this.messagesById.values())
      if (m.user_id === userId && m.client_msg_id === clientMsgId) return m;
    return undefined;
  }

  clear(): void {
    this.users.clear();
    this.channels.clear();
    this.messagesById.clear();
    this.messagesByCid.clear();
  }
}
