import type { ChannelSnapshot } from '@chat/core';
import { useChannelMute, useStore } from '@chat/react';
import { type KeyboardEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useActiveChannel } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useDismissOnOutsidePointer } from '../hooks/use-dismiss';
import { useMenuKeyboard } from '../hooks/use-menu-keyboard';
import { useModerationRole } from '../hooks/use-moderation-role';
import { preloadModeration, SlowModeSetting } from './moderation/lazy-moderation';

export interface ChannelMenuProps {
  /** Adds a "Notification settings" item that calls this (e.g. to open `<NotificationSettings>`). */
  onNotificationSettings?(): void;
  /** Adds a "Pinned messages" item that calls this (e.g. to open `<PinnedMessages>`). */
  onPinnedMessages?(): void;
}

const ITEM = '[role^="menuitem"]';
const selectIsMember = (s: ChannelSnapshot) => s.membership !== null;

/**
 * The "⋯" menu of the active channel, in its header: "Mute channel" (a checkable item: checked
 * while muted), when the app offers them "Notification settings" and "Pinned messages", and for
 * the channel's moderators "Slow mode…" (its dialog loads on demand). Keyboard: Enter, Space or
 * ArrowDown on the button opens it on the first item (ArrowUp on the last), arrows and Home/End
 * move, Escape closes and returns focus. Nothing is shown to someone who is not a member.
 */
function DefaultChannelMenu({ onNotificationSettings, onPinnedMessages }: ChannelMenuProps) {
  const t = useStrings();
  const channel = useActiveChannel('ChannelMenu');
  const isMember = useStore(channel.state, selectIsMember);
  const { muted, mute, unmute } = useChannelMute(channel);
  const [open, setOpen] = useState<'first' | 'last' | null>(null);
  const [failed, setFailed] = useState<'mute' | 'unmute' | null>(null);
  const [slowMode, setSlowMode] = useState(false);
  const { moderator } = useModerationRole(channel);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const close = useCallback((refocus: boolean) => {
    setOpen(null);
    if (refocus) trigger.current?.focus();
  }, []);
  const dismiss = useCallback(() => setOpen(null), []);
  useDismissOnOutsidePointer(root, open !== null, dismiss);
  const onMenuKeyDown = useMenuKeyboard(menu, close);

  useEffect(() => {
    if (!open) return;
    const items = menu.current?.querySelectorAll<HTMLElement>(ITEM);
    (open === 'first' ? items?.[0] : items?.[items.length - 1])?.focus();
    if (moderator) preloadModeration();
  }, [open, moderator]);

  if (!isMember) return null;

  const onTriggerKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    setOpen(event.key === 'ArrowDown' ? 'first' : 'last');
  };

  const toggleMute = () => {
    close(true);
    const next = muted ? 'unmute' : 'mute';
    setFailed(null);
    // The state changes when the server answered; a refusal leaves it and says so.
    (next === 'mute' ? mute() : unmute()).catch(() => setFailed(next));
  };

  const item = (label: string, onPick: () => void) => (
    <button
      type="button"
      role="menuitem"
      tabIndex={-1}
      className="chat-menu__item chat-menu__item--checkable"
      onClick={() => {
        // Focus back on the button first: a dialog opened now returns it there when it closes.
        close(true);
        onPick();
      }}
    >
      <span className="chat-menu__check" aria-hidden="true" />
      {label}
    </button>
  );

  return (
    <div className="chat-channel-menu" ref={root} data-testid="chat-channel-menu">
      <button
        ref={trigger}
        type="button"
        className="chat-icon-button chat-channel-menu__trigger"
        aria-label={t('channelMenu.label')}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => (o ? null : 'first'))}
        onKeyDown={onTriggerKeyDown}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open && (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label={t('channelMenu.label')}
          className="chat-menu chat-channel-menu__menu"
          onKeyDown={onMenuKeyDown}
        >
          <button
            type="button"
            role="menuitemcheckbox"
            aria-checked={muted}
            tabIndex={-1}
            className="chat-menu__item chat-menu__item--checkable"
            data-testid="chat-mute-channel"
            onClick={toggleMute}
          >
            <span className="chat-menu__check" aria-hidden="true">
              {muted ? '✓' : ''}
            </span>
            {t('channelMenu.mute')}
          </button>
          {onNotificationSettings && item(t('channelMenu.notifications'), onNotificationSettings)}
          {onPinnedMessages && item(t('channelMenu.pinned'), onPinnedMessages)}
          {moderator && item(t('channelMenu.slowMode'), () => setSlowMode(true))}
        </div>
      )}
      {slowMode && (
        <SlowModeSetting
          onClose={() => {
            setSlowMode(false);
            trigger.current?.focus();
          }}
        />
      )}
      {failed && (
        <p className="chat-channel-menu__error" role="alert">
          {t(failed === 'mute' ? 'channelMenu.muteFailed' : 'channelMenu.unmuteFailed')}
        </p>
      )}
    </div>
  );
}

export { DefaultChannelMenu };
export const ChannelMenu = replaceable('ChannelMenu', DefaultChannelMenu);
