import { parseFromTokenizer } from 'music-metadata';
import { AbstractTokenizer, EndOfStreamError, type IReadChunkOptions } from 'strtok3';
import type { ObjectStorage } from './object-storage';

/**
 * The length of a stored video or audio file, read from its container's headers with
 * music-metadata (MP4/M4A/MOV, MP3, Ogg, WebM/Matroska, WAV, FLAC, AAC, …) over ranged reads of
 * the stored object: only the parts the parser asks for are fetched, never the whole file. A
 * parser that skips the media data (an MP4's `mdat`) jumps over it, so an MP4 whose index
 * (`moov`) is at the end costs one more ranged read, not the file.
 *
 * music-metadata gives an MP4's length from its first audio track only; a video without sound
 * (a screen recording) gets the movie header's (`moov`/`mvhd`) instead, found by walking the
 * top-level boxes the same way.
 *
 * Cheap or nothing: at most `maxBytes` are read and `timeoutMs` spent, after which the answer is
 * null (as for a container that does not say its length without scanning it all, or a format
 * music-metadata does not know).
 */
export interface DurationOptions {
  /** The most bytes read from storage (default 4 MiB). */
  maxBytes?: number;
  /** The most time spent (default 3 s). */
  timeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 3_000;

/** The length in milliseconds, or null when the headers do not say it cheaply. */
export async function readDuration(
  storage: ObjectStorage,
  key: string,
  file: { size: number; mimeType: string },
  options: DurationOptions = {},
): Promise<number | null> {
  if (file.size <= 0) return null;
  const tokenizer = new StoredObjectTokenizer(storage, key, file, options.maxBytes ?? DEFAULT_MAX_BYTES);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  });
  const parsed = (async () => {
    const metadata = await parseFromTokenizer(tokenizer, {
      // The length from the headers (or the frame count and bit rate), not from decoding it all.
      duration: false,
      skipCovers: true,
      skipPostHeaders: true,
    }).catch(() => null);
    const seconds = metadata?.format.duration;
    if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    return ISO_MEDIA.has(file.mimeType) ? movieHeaderDuration(tokenizer).catch(() => null) : null;
  })();
  try {
    const duration = await Promise.race([parsed, late]);
    // Not longer than the database column holds (about 24 days), which a forged header may claim.
    return duration !== null && duration <= 2_147_483_647 ? duration : null;
  } finally {
    clearTimeout(timer);
    tokenizer.stop();
  }
}

/** Types stored in ISO base media files (MP4, QuickTime, 3GPP), which have a movie header. */
const ISO_MEDIA: ReadonlySet<string> = new Set([
  'video/mp4',
  'video/quicktime',
  'video/x-m4v',
  'video/3gpp',
  'video/3gpp2',
  'audio/mp4',
  'audio/x-m4a',
  'audio/3gpp',
]);

/** Boxes looked at, at most, on one level: a real file has a handful. */
const MAX_BOXES = 64;

/**
 * The movie header's duration: the top-level boxes are walked by their sizes (the media data is
 * jumped over, never read) to `moov`, and its children to `mvhd`.
 */
async function movieHeaderDuration(tokenizer: StoredObjectTokenizer): Promise<number | null> {
  const header = new Uint8Array(16);
  const box = async (at: number, end: number) => {
    const read = await tokenizer.peekBuffer(header, {
      position: at,
      length: Math.min(16, end - at),
      mayBeLess: true,
    });
    if (read < 8) return null;
    const view = Buffer.from(header.buffer, 0, read);
    const size32 = view.readUInt32BE(0);
    const type = view.toString('latin1', 4, 8);
    if (size32 === 1) {
      if (read < 16) return null;
      return { type, start: at + 16, end: at + Number(view.readBigUInt64BE(8)) };
    }
    return { type, start: at + 8, end: size32 === 0 ? end : at + size32 };
  };
  const find = async (type: string, from: number, end: number) => {
    for (let at = from, seen = 0; at + 8 <= end && seen < MAX_BOXES; seen++) {
      const found = await box(at, end);
      if (!found || found.end <= at || found.end > end) return null;
      if (found.type === type) return found;
      at = found.end;
    }
    return null;
  };
  const moov = await find('moov', 0, tokenizer.fileInfo.size);
  const mvhd = moov && (await find('mvhd', moov.start, moov.end));
  if (!mvhd) return null;
  const body = Buffer.alloc(32);
  if ((await tokenizer.peekBuffer(body, { position: mvhd.start, mayBeLess: true })) < 32) return null;
  const [timescale, duration] =
    body[0] === 1
      ? [body.readUInt32BE(20), Number(body.readBigUInt64BE(24))]
      : [body.readUInt32BE(12), body.readUInt32BE(16)];
  // All ones: "unknown" (a fragmented file's header says nothing).
  const unknown = body[0] === 1 ? duration >= 2 ** 53 : duration === 0xffffffff;
  if (timescale === 0 || unknown) return null;
  return Math.round((duration * 1000) / timescale);
}

/** Reads of a stored object are made in blocks of this size (a header is mostly small reads). */
const BLOCK = 64 * 1024;
/** Blocks kept: a parser goes back and forth within a small area. */
const KEPT_BLOCKS = 8;

class OutOfBudget extends Error {}

/** A random-access tokenizer over ranged reads of one stored object, with a byte budget. */
class StoredObjectTokenizer extends AbstractTokenizer {
  readonly fileInfo: { size: number; mimeType: string };
  private readonly blocks = new Map<number, Buffer>();
  private fetched = 0;
  private stopped = false;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly key: string,
    file: { size: number; mimeType: string },
    private readonly budget: number,
  ) {
    // No single read may ask for more than the budget (a header can claim a huge box).
    super({ maxBufferSize: budget });
    this.fileInfo = { size: file.size, mimeType: file.mimeType };
  }

  supportsRandomAccess(): boolean {
    return true;
  }

  setPosition(position: number): void {
    this.validateLength(position, 'position');
    this.position = position;
  }

  /** Ends the work: a parse still running after the deadline reads nothing more. */
  stop(): void {
    this.stopped = true;
    this.blocks.clear();
  }

  async readBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const normalized = this.normalizeOptions(target, options);
    const read = await this.peekBuffer(target, normalized);
    this.position = normalized.position + read;
    return read;
  }

  async peekBuffer(target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const { position, length, mayBeLess } = this.normalizeOptions(target, options);
    const available = Math.max(0, Math.min(this.fileInfo.size - position, length));
    if (!mayBeLess && available < length) throw new EndOfStreamError();
    if (available === 0) return 0;
    if (available > BLOCK) {
      // A large read (a sample table) goes straight through, uncached.
      target.set(await this.fetch(position, position + available - 1), 0);
      return available;
    }
    let done = 0;
    while (done < available) {
      const at = position + done;
      const start = at - (at % BLOCK);
      const block = await this.block(start);
      const from = at - start;
      const count = Math.min(available - done, block.length - from);
      target.set(block.subarray(from, from + count), done);
      done += count;
    }
    return available;
  }

  private async block(start: number): Promise<Buffer> {
    const kept = this.blocks.get(start);
    if (kept) return kept;
    const block = await this.fetch(start, Math.min(start + BLOCK, this.fileInfo.size) - 1);
    if (this.blocks.size >= KEPT_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    this.blocks.set(start, block);
    return block;
  }

  /** Bytes `start` to `end` (inclusive) of the object, counted against the budget. */
  private async fetch(start: number, end: number): Promise<Buffer> {
    if (this.stopped) throw new OutOfBudget('stopped');
    this.fetched += end - start + 1;
    if (this.fetched > this.budget) throw new OutOfBudget(`more than ${this.budget} bytes`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.read(this.key, { start, end })) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
