import type { Channel, ChatClient } from '@chat/core';

// Core does not re-export these wire types from @chat/protocol, and this package depends on
// core alone, so they are named through core's own signatures.

/** A user as the server sends it. */
export type User = NonNullable<ReturnType<ChatClient['getUser']>>;
/** A stored message as the server sends it. */
export type Message = Awaited<ReturnType<Channel['updateMessage']>>;
/** Which messages push to the user: a level, do-not-disturb, per-channel levels. */
export type PushPreferences = Awaited<ReturnType<ChatClient['devices']['preferences']>>;
/** A change of push preferences: any of `level`, `dnd_until`, `channels` (see `client.devices.setPreferences`). */
export type PushPreferencesChange = Parameters<ChatClient['devices']['setPreferences']>[0];
/** `'all'`, `'mentions'` (only messages that mention the user) or `'none'`. */
export type PushLevel = PushPreferences['level'];
