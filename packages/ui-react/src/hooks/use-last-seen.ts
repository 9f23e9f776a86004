import type { UserRef } from '@chat/core';
import { useChat, useStore } from '@chat/react';
import { useEffect, useState } from 'react';

/** How often a "last seen" line is re-worded ("1 minute ago" → "2 minutes ago"). */
const TICK_MS = 30_000;

/**
 * Whether `user` is online, and when they were last active (the latest of what the client has
 * heard in presence events and what their ref says), re-evaluated as time passes. `undefined`
 * for no user.
 */
export function useLastSeen(
  user: UserRef | undefined,
): { online: boolean; at: string | null; now: number } | undefined {
  const { client } = useChat();
  const presence = useStore(client.users.presence);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!user) return;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [user]);
  if (!user) return undefined;
  const online = presence[user.id] ?? user.online;
  const heard = client.users.lastActiveAt(user.id);
  const at = heard ?? user.last_active_at ?? null;
  return { online, at, now };
}
