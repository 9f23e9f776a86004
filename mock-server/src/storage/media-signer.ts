import type { MediaUrls } from '../domain/media-urls';
import { downloadWindow, type ObjectStorage } from './object-storage';

/** `inline` for what a page shows (images, video, audio), a download for everything else. */
export function dispositionOf(kind: string | null, name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const type = kind === 'image' || kind === 'video' || kind === 'audio' ? 'inline' : 'attachment';
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Download URLs for stored files, valid for `ttlSeconds` at most and at least half of it, served
 * with the file's sniffed type and a disposition that downloads anything a page would not show.
 * URLs signed within the same half-TTL are identical (see `downloadWindow`), so re-reading a
 * channel does not make browsers fetch its images again.
 */
export function createMediaUrls(storage: ObjectStorage, ttlSeconds: number): MediaUrls {
  return {
    async sign(file) {
      const window = downloadWindow(ttlSeconds);
      const url = await storage.downloadUrl(file.key, {
        window,
        contentType: file.contentType,
        contentDisposition: dispositionOf(file.kind, file.name),
      });
      return { url, expiresAt: window.expiresAt };
    },
  };
}
