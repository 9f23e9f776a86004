import type { SendMessageBody, UserRef } from '@chat/protocol';

/**
 * The before-send hook, as the domain sees it: a port (implemented by webhooks/before-send.ts)
 * that an application may plug its own check into. The domain asks whether the app has one;
 * if it does, each new message is shown to it before it is stored.
 */
export interface BeforeSendHooks {
  /** The app's hook, or null when it has none (most apps: answered from memory). */
  forApp(appId: string): Promise<BeforeSendCall | null>;
}

export interface OutgoingMessage {
  cid: string;
  user: UserRef;
  message: SendMessageBody;
}

/**
 * Answers the message to store (as sent, or rewritten), or throws a `ChatError`: the hook
 * rejected it (`message_rejected`), or failed and the app chose to fail closed (`unavailable`).
 */
export type BeforeSendCall = (outgoing: OutgoingMessage) => Promise<SendMessageBody>;
