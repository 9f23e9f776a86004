import { type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';

/**
 * A kit panel (the pinned messages, the review queue, the notification settings) in a modal
 * dialog. Escape or the panel's close button closes it, and focus goes back to whatever opened it.
 */
export function AppDialog({
  label,
  testId,
  onClose,
  children,
}: {
  label: string;
  testId: string;
  onClose(): void;
  children: ReactNode;
}) {
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    body.current?.querySelector<HTMLElement>('button, input:not(:disabled)')?.focus();
    return () => opener?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  return (
    <div
      className="app-dialog"
      role="dialog"
      aria-modal="true"
      aria-label={label}
      data-testid={testId}
      onKeyDown={onKeyDown}
    >
      <div className="app-dialog__panel" ref={body}>
        {children}
      </div>
    </div>
  );
}
