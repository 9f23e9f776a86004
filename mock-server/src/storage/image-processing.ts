import sharp, { type Metadata, type Sharp } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { PROCESSABLE_IMAGE_TYPES, SNIFF_BYTES, sniffType } from './media-sniff';

/**
 * Cleaning and previews for an uploaded image: the original re-encoded without its metadata (no
 * EXIF, no GPS position, no camera serial) and turned upright, WebP thumbnails, and a ThumbHash
 * placeholder to paint while they load.
 *
 * Decisions, with what they rest on:
 * - Bombs: the pixel count is read from the header and checked before anything is decoded, and
 *   every decode also runs under `limitInputPixels`. An animation counts all its frames (width ×
 *   height × frames), since that is what decoding it costs, here or in the viewer's browser.
 * - Only JPEG, PNG, WebP, GIF, AVIF and HEIC/HEIF are decoded, by their sniffed type: libvips would
 *   open anything it can (SVG through librsvg, TIFF, …), and SVG must not be parsed here at all.
 * - HEIC: sharp's prebuilt libvips (the one npm installs, whatever the OS) reads HEIF but has no
 *   HEVC decoder; decoding a HEIC photo fails with "Support for this compression format has not
 *   been built in: HEVC (a suitable decoder plugin is libde265)" (sharp 0.35.6, libvips 8.18.8).
 *   So a HEIC is converted to JPEG when the libvips in use can decode it (one built with libde265),
 *   and otherwise refused as `unsupported` with a message asking for a JPEG. Its pixels are checked
 *   from the header either way.
 * - AVIF is re-encoded as WebP: it decodes quickly, but encoding AVIF took 50 s for a 12-megapixel
 *   image (noise, the worst case) on a 2-core machine, against 2.5 s for WebP, which browsers show
 *   as widely and which keeps transparency.
 * - Animation: an animated WebP stays animated (sharp re-encodes every frame, with its delays and
 *   loop count); a GIF is kept byte for byte (GIF carries no EXIF, and re-encoding would quantize
 *   its colours again and often grow it; its pixels are still checked and its first frame decoded
 *   for the previews); an animated PNG keeps only its first frame (libvips reads no APNG frames). libvips
 *   cannot rotate a multi-page image, so an animation is kept as stored (its EXIF orientation, if
 *   any, goes with the rest of the metadata). Thumbnails and the placeholder show the first frame.
 * - The ICC colour profile is kept on the original: it is colour, not personal data, and converting
 *   a Display P3 photo to sRGB would dull it. Thumbnails are converted to sRGB.
 */

export type ImageRefusedReason = 'too_many_pixels' | 'unsupported' | 'corrupt';

/** An image the server will not store as one: the reason for the code, the message for a person. */
export class ImageRefused extends Error {
  readonly reason: ImageRefusedReason;

  constructor(reason: ImageRefusedReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageRefused';
    this.reason = reason;
  }
}

export interface ProcessImageOptions {
  /** The most pixels accepted: width × height, times the frames of an animation. */
  maxPixels: number;
  /** The thumbnail widths wanted; those not smaller than the image are skipped (never upscaled). */
  thumbnailWidths: number[];
}

export interface ImageThumbnail {
  width: number;
  height: number;
  data: Buffer;
  mime: 'image/webp';
}

export interface ProcessedImage {
  /** The cleaned original's size (upright; one frame of an animation). */
  width: number;
  height: number;
  /** The cleaned original's type. */
  mime: string;
  /** The cleaned original. */
  data: Buffer;
  /** Smallest first. */
  thumbnails: ImageThumbnail[];
  /** A ThumbHash of the image, base64. */
  placeholder: string;
}

/** ThumbHash encodes images of at most 100×100 pixels. */
const PLACEHOLDER_MAX_SIDE = 100;

const HEIC_MESSAGE = 'HEIC photos are not supported; share as JPEG';
const NOT_ACCEPTED_MESSAGE = 'This file is not an image we accept: share a JPEG, PNG, WebP or GIF';

type Output = 'jpeg' | 'png' | 'webp' | 'keep';

/**
 * The cleaned original, its previews and placeholder, or ImageRefused when the image is too large,
 * of a type not accepted, or unreadable.
 */
export async function processImage(input: Buffer, options: ProcessImageOptions): Promise<ProcessedImage> {
  const type = await sniffType(input.subarray(0, SNIFF_BYTES));
  if (!type || !PROCESSABLE_IMAGE_TYPES.has(type.mime)) {
    throw new ImageRefused('unsupported', NOT_ACCEPTED_MESSAGE);
  }
  const header = await readHeader(input);
  const isHeic = header.format === 'heif' && header.compression === 'hevc';
  const animated = (header.pages ?? 1) > 1 && (header.format === 'webp' || header.format === 'gif');
  refuseBomb(header, animated, options.maxPixels);

  const output = outputFor(header);
  const sharpOptions = { limitInputPixels: options.maxPixels, animated };
  let cleaned: { data: Buffer; mime: string };
  try {
    cleaned = await cleanOriginal(input, output, sharpOptions);
  } catch (error) {
    if (isHeic) throw new ImageRefused('unsupported', HEIC_MESSAGE, { cause: error });
    throw decodeFailure(error);
  }
  // The cleaned original is upright and without metadata: previews start from it.
  const firstFrame = () => sharp(cleaned.data, { limitInputPixels: options.maxPixels });
  const size = animated
    ? { width: header.width, height: header.height }
    : // The header knows the size once turned upright by its orientation tag.
      header.autoOrient;
  try {
    return {
      ...size,
      ...cleaned,
      thumbnails: await makeThumbnails(firstFrame, size.width, options.thumbnailWidths),
      placeholder: await makePlaceholder(firstFrame()),
    };
  } catch (error) {
    throw decodeFailure(error);
  }
}

/** The header alone (no pixels decoded), whatever its size: the bomb check is ours, with our message. */
async function readHeader(input: Buffer): Promise<Metadata & { width: number; height: number }> {
  let header: Metadata;
  try {
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw decodeFailure(error);
  }
  const { width, height } = header;
  if (!width || !height) throw new ImageRefused('corrupt', 'This image has no size in its header');
  return { ...header, width, height };
}

function refuseBomb(
  header: { width: number; height: number; pages?: number },
  animated: boolean,
  max: number,
) {
  const frames = animated ? (header.pages ?? 1) : 1;
  if (header.width * header.height * frames <= max) return;
  const size = `${header.width}×${header.height} pixels${frames > 1 ? ` × ${frames} frames` : ''}`;
  throw new ImageRefused(
    'too_many_pixels',
    `This image is too large (${size}); the most accepted is ${max.toLocaleString('en')} pixels`,
  );
}

/** What the original becomes: its own format where browsers show it, else the nearest they do. */
function outputFor(header: Metadata): Output {
  switch (header.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
      return header.format;
    case 'gif':
      return 'keep';
    case 'heif':
      // HEIC (HEVC) becomes a JPEG like the photo it is; AVIF becomes WebP (see the top of the file).
      return header.compression === 'hevc' ? 'jpeg' : 'webp';
    default:
      // The sniffed type said otherwise: the bytes do not agree with themselves.
      throw new ImageRefused('unsupported', NOT_ACCEPTED_MESSAGE);
  }
}

async function cleanOriginal(
  input: Buffer,
  output: Output,
  sharpOptions: { limitInputPixels: number; animated: boolean },
): Promise<{ data: Buffer; mime: string }> {
  if (output === 'keep') return { data: input, mime: 'image/gif' };
  const image = sharp(input, sharpOptions);
  // libvips cannot rotate a multi-page image: an animation is kept as stored.
  if (!sharpOptions.animated) image.autoOrient();
  // sharp writes no metadata unless asked: keeping only the ICC profile drops EXIF, XMP and IPTC.
  image.keepIccProfile();
  const data = await image[output]().toBuffer();
  return { data, mime: `image/${output}` };
}

async function makeThumbnails(
  frame: () => Sharp,
  imageWidth: number,
  widths: number[],
): Promise<ImageThumbnail[]> {
  const wanted = [...new Set(widths)].filter((w) => Number.isInteger(w) && w > 0 && w < imageWidth);
  const thumbnails: ImageThumbnail[] = [];
  // One at a time: each decode can hold a whole image in memory, and uploads come in parallel.
  for (const width of wanted.sort((a, b) => a - b)) {
    const { data, info } = await frame().resize({ width }).webp().toBuffer({ resolveWithObject: true });
    thumbnails.push({ width: info.width, height: info.height, data, mime: 'image/webp' });
  }
  return thumbnails;
}

async function makePlaceholder(frame: Sharp): Promise<string> {
  const { data, info } = await frame
    .resize(PLACEHOLDER_MAX_SIDE, PLACEHOLDER_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
}

/** sharp's error as a refusal: an unknown format is unsupported, anything else it could not read is corrupt. */
function decodeFailure(error: unknown): ImageRefused {
  if (error instanceof ImageRefused) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) {
    return new ImageRefused('too_many_pixels', 'This image is too large', { cause: error });
  }
  if (/unsupported image format/i.test(message)) {
    return new ImageRefused('unsupported', 'This file is not an image we can read', { cause: error });
  }
  return new ImageRefused('corrupt', 'This image is damaged and cannot be read', { cause: error });
}
