import type { Channel, ChannelSnapshot } from '@chat/core';
import { useStore } from '@chat/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDraftMap } from '../../context/drafts-context';

/** Typing pauses this long before the draft is saved on the server. */
export const DRAFT_SAVE_DELAY_MS = 1_000;

const selectDraft = (s: ChannelSnapshot) => s.draft;

/**
 * The unsent text of one input scope (the channel, or a thread), kept in `<Chat>` by scope so a
 * channel switch and back restores it at once, and saved with `channel.saveDraft` once typing
 * pauses (and when the input goes away), so it follows the user to other devices.
 */
export function useDraft(channel: Channel, parentId: string | undefined) {
  const drafts = useDraftMap();
  const key = parentId ? `${channel.cid}\n${parentId}` : channel.cid;
  // Core keeps the channel's draft (not threads') in its state, from the watch.
  const serverDraft = useStore(channel.state, selectDraft);
  const serverText = parentId ? '' : (serverDraft?.text ?? '');
  const [text, setTextState] = useState(() => drafts?.get(key) ?? serverText);
  const latest = useRef(text);
  const saved = useRef(serverText);
  const touched = useRef(drafts?.has(key) ?? false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The watch answers after the first render: take the server's draft unless the user typed.
  useEffect(() => {
    if (!serverText) return;
    saved.current = serverText;
    if (touched.current || latest.current) return;
    latest.current = serverText;
    setTextState(serverText);
  }, [serverText]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const value = latest.current;
    if (value === saved.current) return;
    saved.current = value;
    void channel.saveDraft(value, parentId).catch(() => {});
  }, [channel, parentId]);

  const setText = useCallback(
    (value: string) => {
      touched.current = true;
      latest.current = value;
      setTextState(value);
      if (value) drafts?.set(key, value);
      else drafts?.delete(key);
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, DRAFT_SAVE_DELAY_MS);
    },
    [drafts, key, flush],
  );

  // Leaving the channel (or thread) saves what is pending.
  useEffect(() => flush, [flush]);

  return { text, setText, flush };
}
