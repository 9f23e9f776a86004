import type { ChatClient } from '@chat/core';

// Types derived from @chat/core's public API, so the adapter needs no dependency on @chat/protocol.

/** The connected user as the server sent it. */
export type ChatUser = NonNullable<ReturnType<ChatClient['getUser']>>;
/** A channel type, e.g. `'team'` or `'messaging'`. */
export type ChannelType = Parameters<ChatClient['channel']>[0];
