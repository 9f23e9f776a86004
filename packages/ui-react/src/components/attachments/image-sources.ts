import type { Attachment } from '../../core-types';

/** The long side of a lone image, in CSS pixels (a grid is as wide). */
export const MAX_IMAGE = 320;

/**
 * The box of a lone image: its width and height scaled down to fit `MAX_IMAGE`. Known before the
 * picture loads, so a row's height does not change when it arrives and the list does not jump.
 */
export function imageBox({ width, height }: Attachment): { width: number; height: number } | undefined {
  if (!width || !height) return undefined;
  const scale = Math.min(1, MAX_IMAGE / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * What an `<img>` loads: the thumbnails by width (and the file itself when it is wider than the
 * largest), so the browser picks the smallest that is sharp on its screen; without thumbnails,
 * the legacy `thumb_url`, else the file. URLs are already resolved.
 */
export function imageSources(image: Attachment): { src: string; srcSet?: string } {
  const thumbs = image.thumbnails ?? [];
  const largest = thumbs.at(-1);
  if (!largest) return { src: image.thumb_url ?? image.url };
  const set = thumbs.map((thumb) => `${thumb.url} ${thumb.width}w`);
  if (image.width && image.width > largest.width) set.push(`${image.url} ${image.width}w`);
  return { src: largest.url, srcSet: set.join(', ') };
}
