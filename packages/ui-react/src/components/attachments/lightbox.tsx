import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import type { Attachment } from '../../core-types';
import { loadOnDemandStrings } from '../../i18n/on-demand-strings';

// This part's strings come with its code.
loadOnDemandStrings();

export interface LightboxProps {
  /** The message's images, URLs resolved. */
  images: readonly Attachment[];
  /** The one shown first. */
  index: number;
  /** Escape, the close button or a click beside the picture; the caller returns the focus. */
  onClose(): void;
}

/**
 * The image viewer (loaded on demand, see lightbox-loader.tsx): a modal dialog named by the image
 * shown, with the full picture, "2 of 4", a download link and a close button. ← / → and the
 * buttons move between the message's images (wrapping around); Escape closes; Tab stays inside.
 */
export function Lightbox({ images, index: first, onClose }: LightboxProps) {
  const t = useStrings();
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const [index, setIndex] = useState(first);
  const [failed, setFailed] = useState<string | null>(null);
  const count = images.length;
  const image = images[index] ?? images[0];

  useEffect(() => {
    dialog.current?.focus();
  }, []);

  if (!image) return null;
  const name = image.name || t('attachment.image');
  const move = (step: number) => setIndex((i) => (i + step + count) % count);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Tab') {
      keepTabInside(event, dialog.current);
      return;
    }
    if (event.key === 'Escape') onClose();
    else if (event.key === 'ArrowLeft' && count > 1) move(-1);
    else if (event.key === 'ArrowRight' && count > 1) move(1);
    else return;
    // Handled here: the thread panel or the message list around must not act on it too.
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={dialog}
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      tabIndex={-1}
      className="chat-lightbox"
      data-testid="chat-lightbox"
      onKeyDown={onKeyDown}
      onClick={(event) =>
        (event.target === event.currentTarget || event.target === stage.current) && onClose()
      }
    >
      <div className="chat-lightbox__bar">
        <h2 id={titleId} className="chat-lightbox__title">
          {name}
        </h2>
        {count > 1 && (
          <p className="chat-lightbox__counter" aria-live="polite" data-testid="chat-lightbox-counter">
            {t('attachment.counter', { index: index + 1, count })}
          </p>
        )}
        <a
          className="chat-lightbox__control chat-lightbox__download"
          href={image.url}
          download={image.name ?? ''}
          target="_blank"
          rel="noopener noreferrer"
        >
          {t('attachment.download')}
        </a>
        <button
          type="button"
          className="chat-lightbox__control"
          aria-label={t('attachment.close')}
          onClick={onClose}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div ref={stage} className="chat-lightbox__stage">
        {failed === image.url ? (
          <p className="chat-lightbox__status" role="alert">
            {t('attachment.failed')}
          </p>
        ) : (
          <img
            key={image.url}
            className="chat-lightbox__image"
            src={image.url}
            alt={name}
            width={image.width}
            height={image.height}
            onError={() => setFailed(image.url)}
          />
        )}
      </div>
      {count > 1 && (
        <>
          <button
            type="button"
            className="chat-lightbox__control chat-lightbox__nav chat-lightbox__nav--previous"
            aria-label={t('attachment.previous')}
            onClick={() => move(-1)}
          >
            <span aria-hidden="true">‹</span>
          </button>
          <button
            type="button"
            className="chat-lightbox__control chat-lightbox__nav chat-lightbox__nav--next"
            aria-label={t('attachment.next')}
            onClick={() => move(1)}
          >
            <span aria-hidden="true">›</span>
          </button>
        </>
      )}
    </div>
  );
}

/** Tab from the last control goes to the first, Shift+Tab from the first to the last. */
function keepTabInside(event: KeyboardEvent, dialog: HTMLElement | null) {
  const controls = dialog?.querySelectorAll<HTMLElement>('a[href], button');
  if (!dialog || !controls?.length) return;
  const first = controls[0] as HTMLElement;
  const last = controls[controls.length - 1] as HTMLElement;
  const active = dialog.ownerDocument.activeElement;
  if (event.shiftKey ? active === first || active === dialog : active === last) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}
