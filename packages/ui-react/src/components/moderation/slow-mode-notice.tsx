import type { ChannelSnapshot, LocalMessage } from '@chat/core';
import { slowModeWait } from '@chat/core/moderation';
import { useStore } from '@chat/react';
import { useEffect, useMemo, useState } from 'react';
import { useActiveChannel } from '../../context/channel-context';
import { useStrings } from '../../context/ui-context';
import { useModerationRole } from '../../hooks/use-moderation-role';
import { useOwnUserId } from '../../hooks/use-own-user-id';
import { loadModerationStrings } from '../../i18n/moderation-strings';

// This part's strings come with its code.
loadModerationStrings();

export interface SlowModeNoticeProps {
  /** Told whether the user must wait now (the input then holds its send). */
  onWait(waiting: boolean): void;
}

const selectSeconds = (s: ChannelSnapshot) => s.channel?.slow_mode_s ?? 0;

/** When the user last wrote in the channel (a reply counts: slow mode is per channel), ISO. */
function lastOwn(state: ChannelSnapshot, userId: string | undefined): string | null {
  let last: string | null = null;
  const see = (messages: readonly LocalMessage[]) => {
    const own = messages.findLast((m) => m.user_id === userId && m.status !== 'failed');
    if (own && (!last || own.created_at > last)) last = own.created_at;
  };
  see(state.messages);
  for (const replies of Object.values(state.threads)) see(replies);
  return last;
}

/**
 * Under the input of a channel in slow mode (for a member; nothing for a moderator): "Slow mode: wait
 * 12 s" from the user's last message until the cooldown passes (and the send waits meanwhile),
 * then how often one may write. A send the server refused for slow mode waits in the queue for
 * its retry time, which the countdown follows too.
 */
export function SlowModeNotice({ onWait }: SlowModeNoticeProps) {
  const t = useStrings();
  const channel = useActiveChannel('MessageInput');
  const ownUserId = useOwnUserId();
  const seconds = useStore(channel.state, selectSeconds);
  const selectLast = useMemo(() => (s: ChannelSnapshot) => lastOwn(s, ownUserId), [ownUserId]);
  const last = useStore(channel.state, selectLast);
  const pending = useStore(channel.pendingWrites);
  const refusedUntil = pending.reduce(
    (at, item) => (item.error?.code === 'slow_mode' && item.retry_at ? Math.max(at, item.retry_at) : at),
    0,
  );
  const [now, setNow] = useState(Date.now);
  // Moderators and admins are exempt (the server agrees).
  const { moderator } = useModerationRole(channel);
  const wait = Math.max(slowModeWait({ slow_mode_s: seconds }, last, now, moderator), refusedUntil - now);

  // Ticks each second while there is a wait; a new message or refusal starts it again.
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(1000, wait));
    return () => clearTimeout(timer);
  }, [wait]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new last message restarts the clock
  useEffect(() => setNow(Date.now()), [last, refusedUntil]);

  const waiting = wait > 0;
  useEffect(() => {
    onWait(waiting);
    return () => onWait(false);
  }, [onWait, waiting]);

  if (moderator) return null;
  return (
    <p className="chat-slow-mode" data-testid="chat-slow-mode" data-waiting={waiting}>
      {waiting ? t('slowMode.wait', { seconds: Math.ceil(wait / 1000) }) : t('slowMode.on', { seconds })}
    </p>
  );
}
