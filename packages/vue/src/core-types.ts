import type { ChatClient } from '@chat/core';

// Types derived from @chat/core's public API, so the adapter needs no dependency on @chat/protocol.

/** The connected user as the server sent it. */
export type ChatUser = NonNullable<ReturnType<ChatClient['getUser']>>;
/** A channel type, e.g. `'team'` or `'messaging'`. */
export type ChannelType = Parameters<ChatClient['channel']>[0];
/** Which messages push to the user: a level, do-not-disturb, per-channel levels. */
export type PushPreferences = Awaited<ReturnType<ChatClient['devices']['preferences']>>;
/** A change of push preferences: any of `level`, `dnd_until`, `channels` (see `client.devices.setPreferences`). */
export type PushPreferencesChange = Parameters<ChatClient['devices']['setPreferences']>[0];
/** `'all'`, `'mentions'` (only messages that mention the user) or `'none'`. */
export type PushLevel = PushPreferences['level'];
