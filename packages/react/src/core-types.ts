import type { Channel, ChatClient } from '@chat/core';

// Core does not re-export these wire types from @chat/protocol, and this package depends on
// core alone, so they are named through core's own signatures.

/** A user as the server sends it. */
export type User = NonNullable<ReturnType<ChatClient['getUser']>>;
/** A stored message as the server sends it. */
export type Message = Awaited<ReturnType<Channel['updateMessage']>>;
