import { type MouseEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import type { Attachment } from '../../core-types';
import { imageSources } from './image-sources';
import { usePlaceholder } from './use-placeholder';

export interface ImageTileProps {
  /** With its URLs resolved. */
  image: Attachment;
  /** The `sizes` of the `<img>`: how wide the tile shows. */
  sizes: string;
  /** A lone image's box (its `width`/`height` attributes). */
  box?: { width: number; height: number } | undefined;
  onOpen(event: MouseEvent<HTMLButtonElement>): void;
  /** Over the tile (the "+N" of a grid's last tile). */
  children?: ReactNode;
}

/**
 * One image of a message, a button that opens the viewer. While it loads, its ThumbHash is the
 * tile's background; once loaded, the background goes (a transparent picture must not show it).
 * One that cannot load is a plain tile with its name and a link to open the file.
 */
export function ImageTile({ image, sizes, box, onOpen, children }: ImageTileProps) {
  const t = useStrings();
  const [state, setState] = useState<'loading' | 'loaded' | 'failed'>('loading');
  const placeholder = usePlaceholder(state === 'loading' ? image.placeholder : undefined);
  const img = useRef<HTMLImageElement>(null);
  // A picture loaded before React listened (server-rendered markup, the browser's cache) fired
  // its load event already.
  useEffect(() => {
    if (img.current?.complete && img.current.naturalWidth) setState('loaded');
  }, []);
  const name = image.name || t('attachment.image');
  const { src, srcSet } = imageSources(image);

  if (state === 'failed') {
    return (
      <div
        className="chat-gallery__tile chat-gallery__tile--failed"
        style={box && { aspectRatio: `${box.width} / ${box.height}` }}
      >
        <span className="chat-gallery__failed-name">{name}</span>
        <a href={image.url} target="_blank" rel="noopener noreferrer">
          {t('attachment.open')}
        </a>
      </div>
    );
  }
  return (
    <button
      type="button"
      className="chat-gallery__tile"
      style={placeholder ? { backgroundImage: `url("${placeholder}")` } : undefined}
      aria-haspopup="dialog"
      data-testid="chat-attachment-image"
      onClick={onOpen}
    >
      <img
        ref={img}
        className="chat-gallery__image"
        src={src}
        srcSet={srcSet}
        sizes={srcSet && sizes}
        alt={name}
        loading="lazy"
        decoding="async"
        {...box}
        onLoad={() => setState('loaded')}
        onError={() => setState('failed')}
      />
      {children}
    </button>
  );
}
