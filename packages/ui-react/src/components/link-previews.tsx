import { useChat } from '@chat/react';
import { useStrings } from '../context/ui-context';
import type { LinkPreview } from '../core-types';

export interface LinkPreviewsProps {
  previews: readonly LinkPreview[];
  /** The author's own message: each card has a Remove button (for everyone). */
  onRemove?: ((url: string) => void) | undefined;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
};

/**
 * Cards of the pages a message links to (the server reads their title, description and image):
 * each a link to the page, texts shown as text. The image comes from the linked site, without
 * the page's address as referrer.
 */
export function LinkPreviews({ previews, onRemove }: LinkPreviewsProps) {
  const t = useStrings();
  const { client } = useChat();
  return (
    <ul className="chat-link-previews" data-testid="chat-link-previews">
      {previews.map((preview) => {
        const image = client.uploads.url(preview.image_url);
        const site = preview.site_name ?? hostOf(preview.url);
        return (
          <li key={preview.url} className="chat-link-preview">
            <a
              href={preview.url}
              target="_blank"
              rel="noopener noreferrer ugc"
              className="chat-link-preview__link"
            >
              {image && (
                <img
                  className="chat-link-preview__image"
                  src={image}
                  alt=""
                  loading="lazy"
                  referrerPolicy="no-referrer"
                />
              )}
              <span className="chat-link-preview__site">{site}</span>
              <strong className="chat-link-preview__title">{preview.title ?? preview.url}</strong>
              {preview.description && (
                <span className="chat-link-preview__description">{preview.description}</span>
              )}
            </a>
            {onRemove && (
              <button
                type="button"
                className="chat-icon-button chat-link-preview__remove"
                aria-label={t('linkPreview.remove', { site })}
                onClick={() => onRemove(preview.url)}
              >
                <span aria-hidden="true">×</span>
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
