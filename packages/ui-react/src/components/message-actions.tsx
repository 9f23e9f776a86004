import type { LocalMessage } from '@chat/core';
import { type RefObject, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useChannelActions } from '../context/channel-context';
import { replaceable } from '../context/components';
import { useStrings } from '../context/ui-context';
import { useDismissOnOutsidePointer } from '../hooks/use-dismiss';
import { useMenuKeyboard } from '../hooks/use-menu-keyboard';
import { EmojiPickerPopover } from './emoji-picker/emoji-picker-popover';
import { MessageModeration, type ModerationKind, ModerationMenuItems } from './moderation/lazy-moderation';
import { DEFAULT_REACTIONS, ReactionPicker } from './reaction-picker';

export interface MessageActionsProps {
  message: LocalMessage;
  isOwn: boolean;
  /** Inside a thread there is no "Reply in thread". */
  inThread: boolean;
  /** Reactions one click away, beside the menu. Default: the picker's first three. */
  quickReactions?: readonly string[];
  /**
   * Show the one-click buttons (quick reactions, quote, thread) beside the menu. `<Message>` turns
   * them on when a pointer or focus first reaches it, so rows scrolled past never build them.
   * Default true.
   */
  quick?: boolean;
}

const QUICK_REACTIONS = DEFAULT_REACTIONS.slice(0, 3);

/** What is open: a popover in place, or (`{ kind }`) a safety or moderation dialog. */
type Open = 'menu' | 'reactions' | 'emoji' | 'confirm-delete' | { kind: ModerationKind } | null;

/**
 * A message's actions: three reactions one click away and "More reactions" (the full emoji
 * picker), quote and reply in thread one click away, and the "⋯" menu: react, reply in thread, quote, and for the user's own messages edit
 * and delete (asked first); for others' messages "Report…" and "Block"; for those who may
 * moderate (see `useModerationRole`) pin, delete, ban and time out. Keyboard: Enter/Space opens
 * it, arrows move, Escape closes and returns focus.
 */
function DefaultMessageActions({
  message,
  isOwn,
  inThread,
  quickReactions = QUICK_REACTIONS,
  quick = true,
}: MessageActionsProps) {
  const t = useStrings();
  const actions = useChannelActions('MessageActions');
  const [open, setOpen] = useState<Open>(null);
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const moreReactions = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const close = useCallback((refocus: boolean) => {
    setOpen(null);
    if (refocus) trigger.current?.focus();
  }, []);
  const dismiss = useCallback(() => setOpen(null), []);
  // A dialog is drawn over the chat (outside this element): a click in it must not close it.
  useDismissOnOutsidePointer(root, typeof open === 'string', dismiss);
  const onMenuKeyDown = useMenuKeyboard(menu, close);

  useEffect(() => {
    if (open !== 'menu') return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const run = (action: () => void) => () => {
    close(false);
    action();
  };
  const editable = isOwn && message.status === 'sent' && !message.deleted_at;
  const toggleReaction = (type: string) => {
    if (message.own_reactions.includes(type)) actions.unreact(message.id, type);
    else actions.react(message.id, type);
  };

  return (
    <div className="chat-message-actions" ref={root} data-testid="chat-message-actions">
      {quick && (
        <QuickActions
          quickReactions={quickReactions}
          ownReactions={message.own_reactions}
          emojiOpen={open === 'emoji'}
          moreReactions={moreReactions}
          inThread={inThread}
          onToggleReaction={toggleReaction}
          onToggleEmoji={() => setOpen((o) => (o === 'emoji' ? null : 'emoji'))}
          onQuote={() => actions.startQuote(message)}
          onThread={() => actions.openThread(message.id)}
        />
      )}
      <button
        ref={trigger}
        type="button"
        className="chat-icon-button chat-message-actions__trigger"
        aria-label={t('message.actions')}
        aria-haspopup="menu"
        aria-expanded={open === 'menu'}
        aria-controls={open === 'menu' ? menuId : undefined}
        onClick={() => setOpen((o) => (o === 'menu' ? null : 'menu'))}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open === 'menu' && (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label={t('message.actions')}
          className="chat-menu"
          onKeyDown={onMenuKeyDown}
        >
          <MenuItem label={t('message.react')} onClick={() => setOpen('reactions')} />
          {!inThread && (
            <MenuItem
              label={t('message.replyInThread')}
              onClick={run(() => actions.openThread(message.id))}
            />
          )}
          <MenuItem label={t('message.quote')} onClick={run(() => actions.startQuote(message))} />
          {editable && <MenuItem label={t('message.edit')} onClick={run(() => actions.startEdit(message))} />}
          {editable && (
            <MenuItem label={t('message.delete')} danger onClick={() => setOpen('confirm-delete')} />
          )}
          <ModerationMenuItems message={message} isOwn={isOwn} onPick={(kind) => setOpen({ kind })} />
        </div>
      )}
      {typeof open === 'object' && open && (
        <MessageModeration kind={open.kind} message={message} onClose={() => close(true)} />
      )}
      {open === 'confirm-delete' && (
        <ConfirmDelete
          onCancel={() => close(true)}
          onConfirm={() => {
            close(true);
            actions.remove(message.id);
          }}
        />
      )}
      {open === 'emoji' && (
        <EmojiPickerPopover
          label={t('reactionPicker.moreLabel')}
          align="end"
          onClose={(refocus) => {
            setOpen(null);
            if (refocus) moreReactions.current?.focus();
          }}
          onPick={(type) => {
            setOpen(null);
            moreReactions.current?.focus();
            toggleReaction(type);
          }}
        />
      )}
      {open === 'reactions' && (
        <ReactionPicker
          selected={message.own_reactions}
          onClose={close}
          onPick={(type) => {
            close(true);
            toggleReaction(type);
          }}
        />
      )}
    </div>
  );
}

interface QuickActionsProps {
  quickReactions: readonly string[];
  ownReactions: readonly string[];
  emojiOpen: boolean;
  moreReactions: RefObject<HTMLButtonElement | null>;
  inThread: boolean;
  onToggleReaction(type: string): void;
  onToggleEmoji(): void;
  onQuote(): void;
  onThread(): void;
}

/** The one-click buttons beside the menu: three reactions, "More reactions", quote, thread. */
function QuickActions({
  quickReactions,
  ownReactions,
  emojiOpen,
  moreReactions,
  inThread,
  onToggleReaction,
  onToggleEmoji,
  onQuote,
  onThread,
}: QuickActionsProps) {
  const t = useStrings();
  return (
    <>
      <fieldset className="chat-message-actions__quick" aria-label={t('message.quickReactions')}>
        {quickReactions.map((type) => (
          <button
            key={type}
            type="button"
            className="chat-icon-button chat-message-actions__quick-item"
            aria-label={t('reactionPicker.item', { type })}
            aria-pressed={ownReactions.includes(type)}
            data-type={type}
            onClick={() => onToggleReaction(type)}
          >
            {type}
          </button>
        ))}
        <button
          ref={moreReactions}
          type="button"
          className="chat-icon-button chat-message-actions__quick-item chat-message-actions__more"
          aria-label={t('reactionPicker.more')}
          title={t('reactionPicker.more')}
          aria-haspopup="dialog"
          aria-expanded={emojiOpen}
          data-testid="chat-more-reactions"
          onClick={onToggleEmoji}
        >
          <span aria-hidden="true">+</span>
        </button>
      </fieldset>
      {/* Quote and thread one click away too, as the reactions are (also in the menu, for keyboards;
          on a phone only there: the bar would cover the message). */}
      <button
        type="button"
        className="chat-icon-button chat-message-actions__quick-item chat-message-actions__reply"
        aria-label={t('message.quote')}
        title={t('message.quote')}
        data-testid="chat-quick-quote"
        onClick={onQuote}
      >
        <span aria-hidden="true">↩</span>
      </button>
      {!inThread && (
        <button
          type="button"
          className="chat-icon-button chat-message-actions__quick-item chat-message-actions__reply"
          aria-label={t('message.replyInThread')}
          title={t('message.replyInThread')}
          data-testid="chat-quick-thread"
          onClick={onThread}
        >
          <span aria-hidden="true">💬</span>
        </button>
      )}
    </>
  );
}

/**
 * "Delete this message?" before a delete, which cannot be undone: Cancel has the focus (Enter
 * on a menu item does not delete by accident), Escape cancels.
 */
function ConfirmDelete({ onCancel, onConfirm }: { onCancel(): void; onConfirm(): void }) {
  const t = useStrings();
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div
      role="alertdialog"
      aria-labelledby={titleId}
      className="chat-menu chat-confirm"
      data-testid="chat-confirm-delete"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        onCancel();
      }}
    >
      <p id={titleId} className="chat-confirm__text">
        {t('message.deleteConfirm')}
      </p>
      <div className="chat-confirm__actions">
        <button ref={cancel} type="button" className="chat-button" onClick={onCancel}>
          {t('message.deleteCancel')}
        </button>
        <button type="button" className="chat-button chat-button--danger" onClick={onConfirm}>
          {t('message.delete')}
        </button>
      </div>
    </div>
  );
}

export function MenuItem({ label, danger, onClick }: { label: string; danger?: boolean; onClick(): void }) {
  return (
    <button
      type="button"
      role="menuitem"
      tabIndex={-1}
      className={`chat-menu__item${danger ? ' chat-menu__item--danger' : ''}`}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

export { DefaultMessageActions };
export const MessageActions = replaceable('MessageActions', DefaultMessageActions);
