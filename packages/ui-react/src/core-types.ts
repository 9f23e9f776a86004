import type { ChannelListEntry, ChannelSnapshot, LocalMessage } from '@chat/core';

// This package depends on @chat/core and @chat/react only, and core does not re-export the wire
// types of @chat/protocol, so the few this package names are taken from core's own types.

/** A user as embedded in messages, members and events (`id`, `name`, `image`, `online`). */
export type UserRef = LocalMessage['user'];
/** A file or image attached to a message. */
export type Attachment = LocalMessage['attachments'][number];
/** The card of a page a message links to (title, description, image). */
export type LinkPreview = NonNullable<LocalMessage['link_previews']>[number];
/** How far one member has read a channel. */
export type ReadState = ChannelSnapshot['read'][string];
/** A member of a channel. */
export type Member = ChannelSnapshot['members'][string];
/** The channel record (name, member count, …). */
export type ChannelData = ChannelListEntry['channel'];
