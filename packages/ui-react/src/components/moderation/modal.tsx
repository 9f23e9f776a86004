import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

export interface ModalProps {
  title: string;
  /** Escape, and what the dialog's own Cancel or Close buttons call. */
  onClose(): void;
  testId: string;
  children: ReactNode;
}

const FOCUSABLE = 'button:not(:disabled), input:not(:disabled), textarea:not(:disabled), [tabindex="0"]';

/**
 * A modal dialog over the chat: drawn at the kit's root (`.chat-root`, for its theme), not where
 * it was opened: a message row is moved with a transform, which would pin a fixed box to the row.
 * The focus goes to its first control and stays inside (Tab wraps); Escape closes it.
 */
export function Modal({ title, onClose, testId, children }: ModalProps) {
  const [host, setHost] = useState<Element | null>(null);
  const anchor = useCallback((el: HTMLElement | null) => {
    if (el) setHost(el.closest('.chat-root') ?? el.ownerDocument.body);
  }, []);
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();

  useEffect(() => {
    if (host) panel.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
  }, [host]);

  const onKeyDown = (event: KeyboardEvent) => {
    // Handled here: the menus, the thread and the list around the opener must not see it.
    event.stopPropagation();
    if (event.key === 'Escape') onClose();
    if (event.key !== 'Tab') return;
    const items = [...(panel.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
    const edge = event.shiftKey ? items[0] : items[items.length - 1];
    if (edge && event.target === edge) {
      event.preventDefault();
      (event.shiftKey ? items[items.length - 1] : items[0])?.focus();
    }
  };

  return (
    <>
      <span ref={anchor} hidden />
      {host &&
        createPortal(
          <div className="chat-modal">
            <div
              ref={panel}
              role="dialog"
              aria-modal="true"
              aria-labelledby={titleId}
              className="chat-modal__panel"
              data-testid={testId}
              onKeyDown={onKeyDown}
            >
              <h2 id={titleId} className="chat-modal__title">
                {title}
              </h2>
              {children}
            </div>
          </div>,
          host,
        )}
    </>
  );
}

/** The state of one request a dialog makes: its error is shown, never swallowed. */
export type Request = { status: 'idle' | 'working' | 'done' } | { status: 'failed'; error: unknown };

export function useRequest(): [Request, (work: () => Promise<unknown>) => Promise<boolean>] {
  const [request, setRequest] = useState<Request>({ status: 'idle' });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setRequest({ status: 'working' });
    try {
      await work();
      if (live.current) setRequest({ status: 'done' });
      return true;
    } catch (error) {
      if (live.current) setRequest({ status: 'failed', error });
      return false;
    }
  }, []);
  return [request, run];
}

/** Why a request failed, in words: the server's message (a `ChatError`'s), else the error's text. */
export const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
