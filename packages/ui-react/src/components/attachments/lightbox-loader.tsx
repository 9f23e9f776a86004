import type { KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { useStrings } from '../../context/ui-context';
import { useLazyModule } from '../../hooks/use-lazy-module';
import { lazyModule } from '../../lazy-module';
import { LazyStatus } from '../lazy-status';
import type { LightboxProps } from './lightbox';

// The viewer's code is a chunk of its own, loaded the first time an image opens (once per page).
const lightboxModule = lazyModule(() => import('./lightbox'));

export interface LightboxLoaderProps extends LightboxProps {
  /** The tile that opened it: the viewer goes into its `.chat-root` (for the theme). */
  anchor: HTMLElement;
}

/**
 * The image viewer, over the whole chat: a message row is transformed and the list contains its
 * layout, so the viewer is rendered into the chat's root (else the document's body). Until its
 * code is here, a modal dialog says so (a failed load: an alert with "Try again"); Escape or a
 * click outside closes it.
 */
export function LightboxLoader({ anchor, ...props }: LightboxLoaderProps) {
  const t = useStrings();
  const viewer = useLazyModule(lightboxModule);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    // Handled: the thread panel around must not close too.
    event.preventDefault();
    event.stopPropagation();
    props.onClose();
  };
  return createPortal(
    viewer.status === 'ready' ? (
      <viewer.module.Lightbox {...props} />
    ) : (
      <div
        ref={(el) => el?.focus()}
        role="dialog"
        aria-modal="true"
        aria-label={t('attachment.viewer')}
        tabIndex={-1}
        className="chat-lightbox"
        onKeyDown={onKeyDown}
        onClick={(event) => event.target === event.currentTarget && props.onClose()}
      >
        <LazyStatus state={viewer} className="chat-lightbox__status" />
      </div>
    ),
    anchor.closest('.chat-root') ?? anchor.ownerDocument.body,
  );
}
