import type { ReactNode } from 'react';

/** The strip above the input in edit or quote mode, with its cancel button. */
export function ComposerBanner({
  testId,
  children,
  cancelLabel,
  onCancel,
}: {
  testId: string;
  children: ReactNode;
  cancelLabel: string;
  onCancel(): void;
}) {
  return (
    <div className="chat-message-input__banner" data-testid={testId}>
      <span className="chat-message-input__banner-text">{children}</span>
      <button type="button" className="chat-icon-button" aria-label={cancelLabel} onClick={onCancel}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
