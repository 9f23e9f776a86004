import { useChat } from '@chat/react';

/** The connected user's id; `client.userId` is known at `connect`, before the server answers. */
export function useOwnUserId(): string | undefined {
  const { client, user } = useChat();
  return user?.id ?? client.userId;
}
