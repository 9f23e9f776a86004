import type { Channel } from '@chat/core';
import { useStore } from '@chat/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { jumpTargetOf, takeJump } from '../../context/jump-target';

/** How long a message jumped to stays highlighted. */
const HIGHLIGHT_MS = 2_500;

export interface Jump {
  /** The message to scroll to once its row exists (set when its page is in the list). */
  readonly pending: string | null;
  /** The message highlighted after a jump. */
  readonly highlighted: string | null;
  /** Why the last jump failed (the message is gone), for a status line. */
  readonly failed: boolean;
  /** The row of `pending` was scrolled to: highlight it for a moment. */
  arrived(messageId: string): void;
}

/**
 * Serves the jump requests of a channel's list (`jumpToMessage`, a quoted message, the first
 * unread): the page around the message is loaded when it is not in the list, then the list
 * scrolls to its row (`pending`) and highlights it. `onStart` runs as the page is asked for: the
 * list stops holding to its end before the rows change under it.
 */
export function useJump(channel: Channel, onStart: () => void): Jump {
  const target = useStore(jumpTargetOf(channel));
  const [pending, setPending] = useState<string | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const started = useRef(onStart);
  started.current = onStart;

  // The request is taken (cleared) at once, so a later mount does not serve it again; the
  // answer is used unless the list went away or shows another channel meanwhile.
  const shown = useRef<Channel | undefined>(channel);
  shown.current = channel;
  useEffect(() => {
    shown.current = channel;
    return () => {
      shown.current = undefined;
    };
  }, [channel]);
  useEffect(() => {
    if (!target) return;
    takeJump(channel);
    setFailed(false);
    started.current();
    channel
      .jumpTo(target.messageId)
      .then(() => shown.current === channel && setPending(target.messageId))
      .catch(() => shown.current === channel && setFailed(true));
  }, [channel, target]);

  useEffect(() => {
    if (!highlighted) return;
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted]);

  const arrived = useCallback((messageId: string) => {
    setPending(null);
    setHighlighted(messageId);
  }, []);
  return { pending, highlighted, failed, arrived };
}
