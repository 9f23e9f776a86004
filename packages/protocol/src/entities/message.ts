import { z } from 'zod';
import { LIMITS } from '../limits';
import {
  cid,
  clientMessageId,
  customData,
  httpUrl,
  messageId,
  safeString,
  sequence,
  timestamp,
  userId,
} from '../primitives';
import { systemMessageInfo } from './system-message';
import { userRef } from './user';

export const ATTACHMENT_TYPES = ['image', 'video', 'audio', 'file'] as const;

const attachmentFields = {
  type: z.enum(ATTACHMENT_TYPES),
  url: httpUrl,
  name: safeString(255).optional(),
  mime_type: z
    .string()
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'Must be a MIME type like image/png')
    .optional(),
  file_size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  width: z.number().int().min(1).max(100_000).optional(),
  height: z.number().int().min(1).max(100_000).optional(),
  thumb_url: httpUrl.optional(),
};

/**
 * Where a file is: an http(s) URL, or a path on the chat server (`/v1/storage/file?token=…`, for
 * files it stores itself when it has no public URL configured): resolve it against the server's URL.
 */
const mediaUrl = z.union([
  httpUrl,
  z
    .string()
    .max(LIMITS.URL_LENGTH)
    .regex(/^\/(?![/\\])[\x21-\x7e]*$/, 'Must be an http(s) URL or a path on the server'),
]);

/** A smaller copy of an uploaded image (WebP), for a message list; `url` is signed like the file's. */
export const attachmentThumbnail = z.object({
  url: mediaUrl,
  width: z.number().int().min(1),
  height: z.number().int().min(1),
});
export type AttachmentThumbnail = z.infer<typeof attachmentThumbnail>;

/**
 * A file on a message. One uploaded to this server carries its `upload_id`; its `url` and
 * thumbnails' are short-lived signed URLs (usable in `<img src>`), signed again each time the
 * message is read, valid until `url_expires_at`. A link to a file elsewhere has only what its
 * sender gave.
 */
export const attachment = z.strictObject({
  ...attachmentFields,
  url: mediaUrl,
  upload_id: z.uuid().optional(),
  /** Uploaded images: a ThumbHash (base64) to paint while the thumbnail loads. */
  placeholder: z.string().max(128).optional(),
  /** Uploaded images: smaller copies, smallest first. */
  thumbnails: z.array(attachmentThumbnail).max(4).optional(),
  /** When `url` and the thumbnails' URLs stop working (uploaded files). */
  url_expires_at: timestamp.optional(),
  /** Uploaded video and audio: the length in milliseconds, when the file's headers say it. */
  duration_ms: z.number().int().min(0).optional(),
});
export type Attachment = z.infer<typeof attachment>;

/** A link to a file stored elsewhere, as a sender gives it. */
export const linkedAttachment = z.strictObject(attachmentFields);

/** A file uploaded to this server, by its id: the server fills in the rest. */
export const uploadedAttachment = z.strictObject({ upload_id: z.uuid() });

/**
 * An attachment a sender gives: an upload of theirs (`{ upload_id }`, which must be ready) or a
 * link to a file elsewhere (`type` and `url` at least). One object with every field optional and
 * the two shapes told apart by `upload_id`, so a mistake is reported at the field it is in.
 */
export const attachmentInput = z
  .strictObject({
    upload_id: z.uuid().optional(),
    ...z.strictObject(attachmentFields).partial().shape,
  })
  .superRefine((a, ctx) => {
    if (a.upload_id !== undefined) {
      for (const key of Object.keys(a))
        if (key !== 'upload_id')
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'An uploaded file takes only its upload_id: the server fills in the rest',
          });
      return;
    }
    for (const key of ['type', 'url'] as const)
      if (a[key] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'Required for a linked file (or give an upload_id)',
        });
  });
export type AttachmentInput = z.infer<typeof attachmentInput>;

/**
 * What a page a message links to says about itself (its Open Graph tags, or its title and
 * description), fetched by the server after the message is sent: a message gets its previews
 * in a later `message.updated`. `url` is the link as it stands in the message's text; the texts
 * are plain text (render them as text, never as HTML), trimmed to their limits. `image_url` is
 * on the linked site, not this server: loading it tells that site the viewer's address.
 */
export const linkPreview = z.object({
  url: httpUrl,
  title: safeString(LIMITS.LINK_PREVIEW_TITLE_LENGTH).nullable(),
  description: safeString(LIMITS.LINK_PREVIEW_DESCRIPTION_LENGTH).nullable(),
  site_name: safeString(LIMITS.LINK_PREVIEW_SITE_NAME_LENGTH).nullable(),
  image_url: httpUrl.nullable(),
});
export type LinkPreview = z.infer<typeof linkPreview>;

export const reaction = z.object({
  message_id: messageId,
  user_id: userId,
  type: z.string(),
  created_at: timestamp,
});
export type Reaction = z.infer<typeof reaction>;

export const reactionType = safeString(LIMITS.REACTION_TYPE_LENGTH).min(1);

export const MESSAGE_TYPES = ['regular', 'system', 'deleted'] as const;

const messageFields = {
  id: messageId,
  cid,
  /** The channel sequence at which this message was created; orders a channel's messages. */
  seq: sequence,
  client_msg_id: clientMessageId.nullable(),
  type: z.enum(MESSAGE_TYPES),
  text: z.string(),
  user_id: userId,
  user: userRef,
  attachments: z.array(attachment),
  /**
   * Previews of the first links in `text`, in the order they appear (empty until the server has
   * fetched them, and for a message sent with `skip_link_previews`). Always sent by the server;
   * optional only so that a client's own not-yet-sent message need not carry it.
   */
  link_previews: z.array(linkPreview).max(LIMITS.LINK_PREVIEWS_PER_MESSAGE).optional(),
  mentioned_user_ids: z.array(userId),
  parent_id: messageId.nullable(),
  reply_count: z.number().int().min(0),
  quoted_message_id: messageId.nullable(),
  reaction_counts: z.record(z.string(), z.number().int().min(0)),
  own_reactions: z.array(z.string()),
  pinned: z.boolean(),
  pinned_at: timestamp.nullable(),
  pinned_by: userId.nullable(),
  custom: customData,
  created_at: timestamp,
  updated_at: timestamp,
  edited_at: timestamp.nullable(),
  deleted_at: timestamp.nullable(),
  /**
   * What a system message (`type: 'system'`) reports, as data (see `SYSTEM_MESSAGE_KINDS`); null
   * (or absent, in data older than system messages) on every other message.
   */
  system: systemMessageInfo.nullable().optional(),
  /**
   * On a deleted message: whether someone other than its author (a moderator, an admin, the app's
   * backend) removed it, for clients to render "removed by a moderator". Absent on the others.
   */
  removed_by_moderator: z.boolean().optional(),
};

/** A message as the server returns it. A quoted message is embedded one level deep. */
export const message = z.object({
  ...messageFields,
  quoted_message: z.object(messageFields).nullable().optional(),
});
export type Message = z.infer<typeof message>;
