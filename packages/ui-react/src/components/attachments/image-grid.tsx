import { type MouseEvent, useState } from 'react';
import { useStrings } from '../../context/ui-context';
import type { Attachment } from '../../core-types';
import { imageBox, MAX_IMAGE } from './image-sources';
import { ImageTile } from './image-tile';
import { LightboxLoader } from './lightbox-loader';

export interface ImageGridProps {
  /** The message's images, URLs resolved. */
  images: readonly Attachment[];
}

/**
 * A message's images as a list laid out by count: one at its own shape (at most 320 px on the
 * long side), two side by side, three as one large and two small, four or more as 2×2 with "+N"
 * on the last tile. The grid's box is known before any picture loads. A tile opens the viewer
 * over every image of the message; closing it gives the focus back to that tile.
 */
export function ImageGrid({ images }: ImageGridProps) {
  const t = useStrings();
  const [open, setOpen] = useState<{ index: number; tile: HTMLElement } | null>(null);
  const count = images.length;
  const box = count === 1 ? imageBox(images[0] as Attachment) : undefined;
  const hidden = count - 4;

  return (
    <>
      <ul
        className={`chat-gallery chat-gallery--${Math.min(count, 4)}`}
        style={box && { width: box.width }}
        data-count={count}
      >
        {images.slice(0, 4).map((image, index) => (
          <li key={image.upload_id ?? `${index}-${image.url}`} className="chat-gallery__item">
            <ImageTile
              image={image}
              box={box}
              sizes={`${count === 1 ? (box?.width ?? MAX_IMAGE) : count === 3 && index === 0 ? MAX_IMAGE : MAX_IMAGE / 2}px`}
              onOpen={(event: MouseEvent<HTMLElement>) => setOpen({ index, tile: event.currentTarget })}
            >
              {index === 3 && hidden > 0 && (
                <span className="chat-gallery__more">
                  <span aria-hidden="true">{t('attachment.moreBadge', { count: hidden })}</span>
                  <span className="chat-visually-hidden">{t.plural('attachment.more', hidden)}</span>
                </span>
              )}
            </ImageTile>
          </li>
        ))}
      </ul>
      {open && (
        <LightboxLoader
          images={images}
          index={open.index}
          anchor={open.tile}
          onClose={() => {
            setOpen(null);
            open.tile.focus();
          }}
        />
      )}
    </>
  );
}
