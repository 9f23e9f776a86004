import type { ChannelSnapshot } from '@chat/core';
import { useStore, useTyping } from '@chat/react';
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useRef,
  useState,
} from 'react';
import { scopeOf, useActiveChannel, useChannelActions, useComposer } from '../../context/channel-context';
import { replaceable } from '../../context/components';
import { useStrings } from '../../context/ui-context';
import { useOwnUserId } from '../../hooks/use-own-user-id';
import { displayName } from '../../text/format';
import { PickedFileList, preloadLocalFiles } from '../local-files/lazy-local-files';
import { MentionSuggestions } from '../mention-suggestions';
import { SlowModeNotice } from '../moderation/lazy-moderation';
import { AttachButton } from './attach-button';
import { ComposerBanner } from './composer-banner';
import { EmojiButton } from './emoji-button';
import { useDraft } from './use-draft';
import { useMentionAutocomplete } from './use-mention-autocomplete';
import { MAX_FILES, usePickedFiles } from './use-picked-files';

const selectSlow = (s: ChannelSnapshot) => (s.channel?.slow_mode_s ?? 0) > 0;

/** Files in a drag (not text or a link being dragged). */
const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');

export interface MessageInputProps {
  /** Sends into this thread (what `<Thread>` passes); default: the channel. */
  parentId?: string;
  /** Focus the input when it mounts. */
  autoFocus?: boolean;
}

/**
 * The composer. Enter sends, Shift+Enter breaks the line; `@` suggests channel members (arrows,
 * Enter/Tab, Escape); ArrowUp in an empty input edits the user's last message. In edit mode the
 * input holds the message (Enter saves, Escape cancels); in quote mode the reply quotes it.
 * The unsent text is a per-channel draft (see `useDraft`), and each keystroke tells the others
 * the user is typing. Files come from the attach button, a drop on the composer or a paste; they
 * show above the input (with Remove) and go with the message, which may then have no text.
 */
function DefaultMessageInput({ parentId, autoFocus = false }: MessageInputProps) {
  const t = useStrings();
  const channel = useActiveChannel('MessageInput');
  const actions = useChannelActions('MessageInput');
  const { editing, quoting } = useComposer();
  const ownUserId = useOwnUserId();
  const { onKeystroke, stop } = useTyping(channel, parentId ?? null);
  const draft = useDraft(channel, parentId);
  const scope = parentId ?? null;
  const editingHere = editing && scopeOf(editing) === scope ? editing : null;
  const quotingHere = quoting && scopeOf(quoting) === scope ? quoting : null;
  // The edited text is not the draft: it must not overwrite what the user was writing.
  const [editText, setEditText] = useState('');
  const text = editingHere ? editText : draft.text;
  const textarea = useRef<HTMLTextAreaElement>(null);
  const caretAfterRender = useRef<number | null>(null);
  const picked = usePickedFiles();
  const [dragging, setDragging] = useState(false);
  // Slow mode holds members (not moderators) back between two messages: its countdown, loaded
  // on demand, says until when, and sending waits (an edit does not).
  const slow = useStore(channel.state, selectSlow);
  const [waiting, setWaiting] = useState(false);
  const held = slow && waiting && !editingHere;

  const setText = (value: string) => (editingHere ? setEditText(value) : draft.setText(value));
  const mentions = useMentionAutocomplete(channel, ownUserId, text, (value, caret) => {
    caretAfterRender.current = caret;
    setText(value);
  });

  useEffect(() => {
    const el = textarea.current;
    if (el && caretAfterRender.current !== null) {
      el.setSelectionRange(caretAfterRender.current, caretAfterRender.current);
      caretAfterRender.current = null;
    }
  });

  // Entering edit or quote mode brings the focus here, the caret at the end.
  // Only when the mode starts, not when the edited message changes underneath.
  const modeKey = editingHere?.id ?? quotingHere?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the mode, see above
  useEffect(() => {
    if (!modeKey) return;
    const value = editingHere?.text ?? null;
    if (value !== null) setEditText(value);
    caretAfterRender.current = (value ?? textarea.current?.value ?? '').length;
    textarea.current?.focus();
  }, [modeKey]);

  const submit = () => {
    if (held) return;
    const value = text.trim();
    const files = editingHere ? [] : picked.files;
    if (!value && files.length === 0) return;
    if (editingHere) {
      if (value !== editingHere.text) actions.edit(editingHere.id, value);
      actions.cancelCompose();
      return;
    }
    const mentionedUserIds = mentions.ids(value);
    actions.send({
      text: value,
      ...(parentId && { parentId }),
      ...(quotingHere && { quotedMessageId: quotingHere.id }),
      ...(mentionedUserIds.length > 0 && { mentionedUserIds }),
      ...(files.length > 0 && { files }),
    });
    picked.clear();
    draft.setText('');
    draft.flush();
    mentions.reset();
    stop();
    if (quotingHere) actions.cancelCompose();
  };

  const editLastOwnMessage = () => {
    const state = channel.state.getSnapshot();
    const list = parentId ? (state.threads[parentId] ?? []) : state.messages;
    const last = list.findLast((m) => m.user_id === ownUserId && m.status === 'sent' && !m.deleted_at);
    if (last) actions.startEdit(last);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mentions.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && (editingHere || quotingHere)) {
      event.preventDefault();
      // Handled: a surrounding thread panel must not close too.
      event.stopPropagation();
      actions.cancelCompose();
    } else if (event.key === 'ArrowUp' && text === '' && !editingHere) {
      event.preventDefault();
      editLastOwnMessage();
    }
  };

  // An emoji from the picker goes where the caret was (a blurred textarea keeps its selection),
  // replacing any selected text; the caret then follows it and the focus comes back here.
  const insertEmoji = (emoji: string) => {
    const el = textarea.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? start;
    const caret = start + emoji.length;
    caretAfterRender.current = caret;
    setText(text.slice(0, start) + emoji + text.slice(end));
    mentions.trackCaret(caret);
    if (!editingHere) onKeystroke();
    el?.focus();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const attach = (files: File[]) => {
    preloadLocalFiles();
    picked.add(files);
    textarea.current?.focus();
  };
  const onDragOver = (event: DragEvent) => {
    if (editingHere || !carriesFiles(event)) return;
    // Taken: the browser would open the file in place of the app.
    event.preventDefault();
    if (!dragging) preloadLocalFiles();
    setDragging(true);
  };
  const onDrop = (event: DragEvent) => {
    setDragging(false);
    if (editingHere || !carriesFiles(event)) return;
    event.preventDefault();
    attach([...event.dataTransfer.files]);
  };
  // A pasted picture (a screenshot) is attached; pasted text stays text.
  const onPaste = (event: ClipboardEvent) => {
    const files = [...event.clipboardData.files];
    if (editingHere || files.length === 0) return;
    if (!event.clipboardData.getData('text/plain')) event.preventDefault();
    attach(files);
  };

  return (
    <form
      className={`chat-message-input${dragging ? ' chat-message-input--dragging' : ''}`}
      data-testid="chat-message-input-form"
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      {dragging && (
        <p className="chat-message-input__drop" aria-hidden="true">
          {t('input.dropFiles')}
        </p>
      )}
      {editingHere && (
        <ComposerBanner
          testId="chat-editing-banner"
          cancelLabel={t('input.cancelEdit')}
          onCancel={actions.cancelCompose}
        >
          {t('input.editing')}
        </ComposerBanner>
      )}
      {quotingHere && (
        <ComposerBanner
          testId="chat-quote-banner"
          cancelLabel={t('input.cancelQuote')}
          onCancel={actions.cancelCompose}
        >
          <strong>{t('input.quoting', { name: displayName(quotingHere.user) })}</strong>{' '}
          <span className="chat-message-input__quote-text">{quotingHere.text}</span>
        </ComposerBanner>
      )}
      {!editingHere && picked.files.length > 0 && (
        <PickedFileList files={picked.files} onRemove={picked.remove} />
      )}
      {picked.leftOut > 0 && (
        <p className="chat-message-input__notice" role="alert">
          {t('input.tooManyFiles', { max: MAX_FILES, count: picked.leftOut })}
        </p>
      )}
      {mentions.open && (
        <MentionSuggestions
          id={mentions.listId}
          users={mentions.suggestions}
          activeIndex={mentions.activeIndex}
          optionId={mentions.optionId}
          onPick={(user) => {
            mentions.pick(user);
            textarea.current?.focus();
          }}
        />
      )}
      <div className="chat-message-input__row">
        <textarea
          ref={textarea}
          className="chat-message-input__textarea"
          data-testid="chat-message-input"
          rows={1}
          value={text}
          // biome-ignore lint/a11y/noAutofocus: opt-in by the app (e.g. the thread panel's input)
          autoFocus={autoFocus}
          aria-label={t('input.label')}
          placeholder={t(parentId ? 'input.threadPlaceholder' : 'input.placeholder')}
          aria-autocomplete="list"
          aria-controls={mentions.open ? mentions.listId : undefined}
          aria-activedescendant={mentions.open ? mentions.optionId(mentions.activeIndex) : undefined}
          onChange={(event) => {
            setText(event.target.value);
            mentions.trackCaret(event.target.selectionStart);
            if (event.target.value && !editingHere) onKeystroke();
          }}
          onSelect={(event) => mentions.trackCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={stop}
        />
        {!editingHere && <AttachButton onPick={attach} onIntent={preloadLocalFiles} />}
        <EmojiButton onPick={insertEmoji} />
        <button
          type="submit"
          className="chat-button chat-button--primary chat-message-input__send"
          data-testid="chat-send"
          disabled={held || (text.trim() === '' && (editingHere !== null || picked.files.length === 0))}
        >
          {t(editingHere ? 'input.save' : 'input.send')}
        </button>
      </div>
      {slow && <SlowModeNotice onWait={setWaiting} />}
    </form>
  );
}

export { DefaultMessageInput };
export const MessageInput = replaceable('MessageInput', DefaultMessageInput);
