import {
  type ChannelState,
  type CreateChannelBody,
  createChannelBody,
  type Message,
  type ReadState,
  type SendMessageBody,
  sendMessageBody,
  updateMessageBody,
  validateInput,
} from '@chat/protocol';
import * as channels from './channel-ops';
import type { KitContext } from './kit-context';
import { KitError } from './kit-error';
import * as messages from './message-ops';
import type { SocketGateway } from './socket-gateway';

/** What a scripted send takes besides the text: the rest of a send's body, in the SDK's words. */
export interface ScriptedSend {
  parentId?: string;
  quotedMessageId?: string;
  mentionedUserIds?: string[];
  attachments?: SendMessageBody['attachments'];
  custom?: SendMessageBody['custom'];
}

function valid<T>(schema: Parameters<typeof validateInput<T>>[0], value: unknown): T {
  const result = validateInput(schema, value, 'scripted call');
  if (!result.ok) throw KitError.from(result.error);
  return result.value;
}

let scripted = 0;

/**
 * One user acting on the kit's server from the test, as if from another device: "bob types",
 * "bob sends a message". Each call goes through the same operations as the API, so watchers,
 * notifications, seqs and unread counts follow. A refused call throws a `KitError` whose `body`
 * is the protocol's error.
 *
 * @example
 * const bob = kit.as('bob');
 * bob.startTyping('messaging:general');
 * const hi = bob.send('messaging:general', 'hi alice');
 * bob.react(hi.id, '👍');
 */
export class ActingUser {
  constructor(
    readonly userId: string,
    private readonly ctx: () => KitContext,
    private readonly gateway: SocketGateway,
  ) {}

  /** Sends a message (a new `client_msg_id` each time); returns it as the server stored it. */
  send(cid: string, text: string, options: ScriptedSend = {}): Message {
    const body = valid(sendMessageBody, {
      client_msg_id: `testkit-${this.userId}-${++scripted}`,
      text,
      ...(options.parentId && { parent_id: options.parentId }),
      ...(options.quotedMessageId && { quoted_message_id: options.quotedMessageId }),
      ...(options.mentionedUserIds && { mentioned_user_ids: options.mentionedUserIds }),
      ...(options.attachments && { attachments: options.attachments }),
      ...(options.custom && { custom: options.custom }),
    });
    return messages.sendMessage(this.ctx(), this.userId, cid, body).message;
  }

  edit(messageId: string, text: string): Message {
    return messages.updateMessage(this.ctx(), this.userId, messageId, valid(updateMessageBody, { text }));
  }

  delete(messageId: string): Message {
    return messages.deleteMessage(this.ctx(), this.userId, messageId);
  }

  react(messageId: string, type: string): Message {
    return messages.setReaction(this.ctx(), this.userId, messageId, type, true);
  }

  unreact(messageId: string, type: string): Message {
    return messages.setReaction(this.ctx(), this.userId, messageId, type, false);
  }

  /** Starts typing (in a thread with `parentId`); it lasts until `stopTyping` or the user's last socket closes. */
  startTyping(cid: string, parentId?: string): void {
    this.gateway.setTyping(this.userId, cid, parentId ?? null, true);
  }

  stopTyping(cid: string, parentId?: string): void {
    this.gateway.setTyping(this.userId, cid, parentId ?? null, false);
  }

  /** Marks the channel read up to `messageId` (default: its newest message). */
  markRead(cid: string, messageId?: string): ReadState {
    return channels.markRead(this.ctx(), this.userId, cid, messageId);
  }

  /** Creates a channel as this user (or gets the existing one); its members are told. */
  createChannel(input: CreateChannelBody): ChannelState {
    return channels.createChannel(this.ctx(), this.userId, valid(createChannelBody, input)).state;
  }
}
