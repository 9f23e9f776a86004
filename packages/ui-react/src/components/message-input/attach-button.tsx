import { useRef } from 'react';
import { useStrings } from '../../context/ui-context';
import { ComposerIconButton } from './composer-icon-button';

export interface AttachButtonProps {
  /** The files chosen in the browser's file dialog. */
  onPick(files: File[]): void;
  /** The user is about to attach (hover, focus): a good time to load what shows the files. */
  onIntent?(): void;
}

/** The composer's "Attach files" button: opens the browser's file dialog (several files at once). */
export function AttachButton({ onPick, onIntent }: AttachButtonProps) {
  const t = useStrings();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <ComposerIconButton
        className="chat-message-input__attach"
        aria-label={t('input.attach')}
        title={t('input.attach')}
        data-testid="chat-attach-button"
        onClick={() => input.current?.click()}
        onPointerEnter={onIntent}
        onFocus={onIntent}
        icon={
          <path d="m21 11-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l9-9a3.7 3.7 0 0 1 5.2 5.2l-9 9a1.8 1.8 0 0 1-2.6-2.6L15.5 6" />
        }
      />
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="chat-file-input"
        onChange={(event) => {
          onPick([...(event.target.files ?? [])]);
          // The same file can be picked again after it was removed.
          event.target.value = '';
        }}
      />
    </>
  );
}
