import { z } from 'zod';
import { reactionType } from './entities/message';
import { errorBody } from './errors';
import { LIMITS } from './limits';
import { cid, messageId, safeString, sequence } from './primitives';
import { sendMessageBody, updateMessageBody } from './rest/messages';

/** Every request frame carries an id; the server answers with an `ack` or `error` of that id. */
const requestId = safeString(64).min(1);
/**
 * The id an answer carries. Looser than `requestId`: an error answering a frame that was refused
 * for its id still carries that id, so that its sender can match the two.
 */
const answerId = z.string().min(1).max(64);
const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), id: requestId, ...shape });

export const authFrame = frame('auth', { token: safeString(LIMITS.TOKEN_LENGTH).min(1) });
export const watchFrame = frame('channel.watch', {
  cid,
  /** The last seq the client saw; the server replays what came after it. */
  since: sequence.optional(),
  message_limit: z.number().int().min(0).max(LIMITS.PAGE_SIZE_MAX).optional(),
});
export const unwatchFrame = frame('channel.unwatch', { cid });
export const sendFrame = frame('message.send', { cid, message: sendMessageBody });
export const updateFrame = frame('message.update', { message_id: messageId, message: updateMessageBody });
export const deleteFrame = frame('message.delete', { message_id: messageId });
export const reactionAddFrame = frame('reaction.add', { message_id: messageId, reaction_type: reactionType });
export const reactionRemoveFrame = frame('reaction.remove', {
  message_id: messageId,
  reaction_type: reactionType,
});
export const typingStartFrame = frame('typing.start', { cid, parent_id: messageId.optional() });
export const typingStopFrame = frame('typing.stop', { cid, parent_id: messageId.optional() });
export const readMarkFrame = frame('read.mark', { cid, message_id: messageId.optional() });
export const pingFrame = frame('ping', {});

/** Client → server frames, a discriminated union on `type`. */
export const clientFrame = z.discriminatedUnion('type', [
  authFrame,
  watchFrame,
  unwatchFrame,
  sendFrame,
  updateFrame,
  deleteFrame,
  reactionAddFrame,
  reactionRemoveFrame,
  typingStartFrame,
  typingStopFrame,
  readMarkFrame,
  pingFrame,
]);
export type ClientFrame = z.infer<typeof clientFrame>;
export type ClientFrameType = ClientFrame['type'];

/** The answer to a request frame. `result` depends on the request (see `AckResults`). */
export const ackFrame = z.object({ type: z.literal('ack'), id: answerId, result: z.unknown() });
export type AckFrame = z.infer<typeof ackFrame>;

/** A failed request (with its id), or a connection-level error (without). */
export const errorFrame = z.object({ type: z.literal('error'), id: answerId.optional(), error: errorBody });
export type ErrorFrame = z.infer<typeof errorFrame>;
