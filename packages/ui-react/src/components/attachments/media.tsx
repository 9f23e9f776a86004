import { useStrings } from '../../context/ui-context';
import type { Attachment } from '../../core-types';
import { imageBox } from './image-sources';

/**
 * A video or a sound with the browser's own player (only its metadata loads until played),
 * named by the file's name, with its name and a download link below. A video's box comes from
 * its width/height when known; its poster is its first thumbnail.
 */
export function MediaPlayer({ media }: { media: Attachment }) {
  const t = useStrings();
  const video = media.type === 'video';
  const name = media.name || t(video ? 'attachment.video' : 'attachment.audio');
  const player = {
    className: 'chat-media__player',
    src: media.url,
    controls: true,
    preload: 'metadata',
    'aria-label': name,
  };
  return (
    <figure className={`chat-media chat-media--${media.type}`}>
      {video ? (
        <video
          {...player}
          {...imageBox(media)}
          playsInline
          poster={media.thumbnails?.[0]?.url ?? media.thumb_url}
          data-testid="chat-attachment-video"
        />
      ) : (
        <audio {...player} data-testid="chat-attachment-audio" />
      )}
      <figcaption className="chat-media__caption">
        <span className="chat-media__name">{name}</span>
        <a
          className="chat-media__download"
          href={media.url}
          download={media.name ?? ''}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={t('attachment.downloadName', { name })}
        >
          {t('attachment.download')}
        </a>
      </figcaption>
    </figure>
  );
}
