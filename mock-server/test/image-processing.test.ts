import { crc32 } from 'node:zlib';
import sharp, { type Color, type Sharp } from 'sharp';
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { ImageRefused, type ImageRefusedReason, processImage } from '../src/storage/image-processing';

/**
 * Cleaning uploaded images: metadata gone and the photo upright, WebP thumbnails that never
 * upscale, a ThumbHash placeholder, and refusals (bombs before any decoding, HEIC without a
 * decoder, garbage). Every fixture is made here, with sharp or by hand.
 */

const options = { maxPixels: 10_000_000, thumbnailWidths: [100, 200] };
const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };

function solid(width: number, height: number, background: Color = RED) {
  return sharp({ create: { width, height, channels: 3, background } });
}

/** A width×height image: left half red, right half blue (to tell which way it was turned). */
async function halves(width: number, height: number): Promise<Sharp> {
  const right = await solid(width / 2, height, BLUE)
    .png()
    .toBuffer();
  return solid(width, height).composite([{ input: right, left: width / 2, top: 0 }]);
}

async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

async function refusal(promise: Promise<unknown>): Promise<ImageRefused> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageRefused);
  return error as ImageRefused;
}

async function expectRefused(promise: Promise<unknown>, reason: ImageRefusedReason): Promise<ImageRefused> {
  const error = await refusal(promise);
  expect(error.reason).toBe(reason);
  expect(error.message.length).toBeGreaterThan(10);
  return error;
}

describe('processImage: the cleaned original', () => {
  it('drops EXIF (GPS included) and XMP, and turns the photo upright', async () => {
    // Stored 64×32 with orientation 6: shown turned a quarter clockwise, 32×64, red on top.
    const photo = await (await halves(64, 32))
      .jpeg()
      .withExif({
        IFD0: { Make: 'Acme', Model: 'Pocket 3', Software: 'secret-firmware' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 2400/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 21/1 0/1',
        },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const before = await sharp(photo).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.toString('latin1')).toContain('secret-firmware');
    expect(before.xmp).toBeDefined();

    const result = await processImage(photo, options);
    expect(result.mime).toBe('image/jpeg');
    expect({ width: result.width, height: result.height }).toEqual({ width: 32, height: 64 });
    const after = await sharp(result.data).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect({ width: after.width, height: after.height }).toEqual({ width: 32, height: 64 });
    expect(result.data.includes('secret-firmware')).toBe(false);
    // Red on top, blue below (JPEG is lossy: near enough).
    const [top, bottom] = [await pixel(result.data, 16, 4), await pixel(result.data, 16, 60)];
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('keeps PNG as PNG and WebP as WebP, without metadata', async () => {
    for (const format of ['png', 'webp'] as const) {
      const input = await solid(120, 80)
        [format]()
        .withExif({ IFD0: { Artist: 'someone' } })
        .toBuffer();
      expect((await sharp(input).metadata()).exif).toBeDefined();
      const result = await processImage(input, options);
      expect(result.mime).toBe(`image/${format}`);
      const after = await sharp(result.data).metadata();
      expect(after.format).toBe(format);
      expect(after.exif).toBeUndefined();
      expect({ width: result.width, height: result.height }).toEqual({ width: 120, height: 80 });
    }
  });

  it('keeps the ICC colour profile (Display P3 stays P3)', async () => {
    const input = await solid(40, 30).withIccProfile('p3').jpeg().toBuffer();
    const before = (await sharp(input).metadata()).icc;
    expect(before).toBeDefined();
    const result = await processImage(input, options);
    expect((await sharp(result.data).metadata()).icc).toEqual(before);
  });

  it('re-encodes AVIF as WebP', async () => {
    const input = await solid(60, 40).avif().toBuffer();
    const result = await processImage(input, options);
    expect(result.mime).toBe('image/webp');
    expect((await sharp(result.data).metadata()).format).toBe('webp');
  });

  it('keeps an animated WebP animated, frames, delays and loop included', async () => {
    const input = await sharp(await frames(), { join: { animated: true } })
      .webp({ delay: [100, 200, 300], loop: 2 })
      .withExif({ IFD0: { Artist: 'someone' } })
      .toBuffer();
    const result = await processImage(input, options);
    expect(result.mime).toBe('image/webp');
    expect({ width: result.width, height: result.height }).toEqual({ width: 40, height: 30 });
    const after = await sharp(result.data).metadata();
    expect(after.pages).toBe(3);
    expect(after.delay).toEqual([100, 200, 300]);
    expect(after.loop).toBe(2);
    expect(after.exif).toBeUndefined();
  });

  it('keeps a GIF byte for byte, and previews its first frame', async () => {
    const input = await sharp(await frames(), { join: { animated: true } })
      .gif({ delay: [100, 100, 100] })
      .toBuffer();
    const result = await processImage(input, { maxPixels: 10_000, thumbnailWidths: [20] });
    expect(result.mime).toBe('image/gif');
    expect(result.data.equals(input)).toBe(true);
    expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual([[20, 15]]);
    // The first frame is red.
    expect(thumbHashToAverageRGBA(Buffer.from(result.placeholder, 'base64')).r).toBeGreaterThan(0.8);
  });

  it('keeps the first frame of an animated PNG', async () => {
    const png = await solid(40, 30).png().toBuffer();
    const apng = withChunk(png, 'acTL', [0, 0, 0, 1, 0, 0, 0, 0]); // one frame, loop forever
    const result = await processImage(apng, options);
    expect(result.mime).toBe('image/png');
    expect(result.data.includes('acTL')).toBe(false);
    expect({ width: result.width, height: result.height }).toEqual({ width: 40, height: 30 });
  });
});

describe('processImage: previews', () => {
  it('makes WebP thumbnails at the asked widths, never wider than the image', async () => {
    const input = await solid(400, 300).jpeg().toBuffer();
    const result = await processImage(input, {
      maxPixels: 1_000_000,
      thumbnailWidths: [200, 100, 400, 800, 200],
    });
    expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual([
      [100, 75],
      [200, 150],
    ]);
    for (const thumbnail of result.thumbnails) {
      expect(thumbnail.mime).toBe('image/webp');
      const meta = await sharp(thumbnail.data).metadata();
      expect(meta.format).toBe('webp');
      expect({ width: meta.width, height: meta.height }).toEqual({
        width: thumbnail.width,
        height: thumbnail.height,
      });
    }
    const small = await processImage(await solid(50, 50).png().toBuffer(), options);
    expect(small.thumbnails).toEqual([]);
  });

  it('makes thumbnails of the upright photo', async () => {
    const photo = await (await halves(400, 200)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const result = await processImage(photo, options);
    expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual([[100, 200]]);
  });

  it('makes a ThumbHash placeholder that decodes to a small image of the same shape and colour', async () => {
    const result = await processImage(await solid(400, 200, BLUE).png().toBuffer(), options);
    const hash = Buffer.from(result.placeholder, 'base64');
    expect(hash.length).toBeLessThan(40);
    const decoded = thumbHashToRGBA(hash);
    expect(decoded.w).toBeLessThanOrEqual(32);
    expect(decoded.h).toBeLessThanOrEqual(32);
    expect(decoded.rgba.length).toBe(decoded.w * decoded.h * 4);
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(2, 0);
    const average = thumbHashToAverageRGBA(hash);
    expect(average.b).toBeGreaterThan(0.8);
    expect(average.r).toBeLessThan(0.2);
  });
});

describe('processImage: refusals', () => {
  it('refuses a PNG declaring 20,000×20,000 pixels from its header, before decoding', async () => {
    // A real PNG signature and IHDR, then a few bytes of image data: decoding it would fail as
    // corrupt, so too_many_pixels proves the header alone was read.
    const bomb = craftedPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(100);
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    const error = await expectRefused(processImage(bomb, options), 'too_many_pixels');
    expect(error.message).toContain('20000×20000');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a real, well-compressed bomb without decoding it', async () => {
    const bomb = await solid(5_000, 5_000).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(200_000); // 75 MB of pixels in a small file
    const started = performance.now();
    await expectRefused(
      processImage(bomb, { maxPixels: 1_000_000, thumbnailWidths: [100] }),
      'too_many_pixels',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('counts every frame of an animation', async () => {
    const gif = await sharp(await frames(), { join: { animated: true } })
      .gif()
      .toBuffer();
    // One frame is 1,200 pixels, the three 3,600.
    const error = await expectRefused(
      processImage(gif, { maxPixels: 2_000, thumbnailWidths: [] }),
      'too_many_pixels',
    );
    expect(error.message).toContain('× 3 frames');
  });

  it('refuses HEIC: this libvips has no HEVC decoder (and a bomb among them from its header)', async () => {
    const error = await expectRefused(processImage(craftedHeic(64, 48), options), 'unsupported');
    expect(error.message).toBe('HEIC photos are not supported; share as JPEG');
    await expectRefused(processImage(craftedHeic(20_000, 20_000), options), 'too_many_pixels');
  });

  it('refuses garbage, text and SVG as unsupported, without handing them to the decoder', async () => {
    const noise = Buffer.from(Array.from({ length: 2_000 }, (_, i) => (i * 2654435761 + 7) >>> 24));
    await expectRefused(processImage(noise, options), 'unsupported');
    await expectRefused(processImage(Buffer.from('just text named photo.jpg'), options), 'unsupported');
    await expectRefused(processImage(Buffer.alloc(0), options), 'unsupported');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    await expectRefused(processImage(svg, options), 'unsupported');
    const tiff = await solid(10, 10).tiff().toBuffer();
    await expectRefused(processImage(tiff, options), 'unsupported');
  });

  it('refuses a damaged image as corrupt', async () => {
    const jpeg = await solid(200, 200, { r: 10, g: 200, b: 30 }).jpeg().toBuffer();
    await expectRefused(processImage(jpeg.subarray(0, jpeg.length / 2), options), 'corrupt');
    const png = await solid(200, 200).png().toBuffer();
    await expectRefused(processImage(png.subarray(0, 40), options), 'corrupt');
    // The JPEG signature and nothing readable after it.
    await expectRefused(
      processImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]), options),
      'corrupt',
    );
  });
});

/** Three 40×30 frames: red, green, blue. */
function frames(): Promise<Buffer[]> {
  return Promise.all(
    [RED, { r: 0, g: 255, b: 0 }, BLUE].map((background) =>
      sharp({ create: { width: 40, height: 30, channels: 4, background: { ...background, alpha: 1 } } })
        .png()
        .toBuffer(),
    ),
  );
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
}

/** `png` with a chunk added right after its IHDR (which is always 8 + 25 bytes from the start). */
function withChunk(png: Buffer, type: string, data: number[]): Buffer {
  return Buffer.concat([png.subarray(0, 33), pngChunk(type, Buffer.from(data)), png.subarray(33)]);
}

/** A PNG header declaring width×height RGB pixels, followed by a token of (too short) image data. */
function craftedPng(width: number, height: number): Buffer {
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function isoBox(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

function fullBox(type: string, version: number, ...parts: Buffer[]): Buffer {
  return isoBox(type, Buffer.from([version, 0, 0, 0]), ...parts);
}

/**
 * A HEIC as an iPhone lays it out (ISO BMFF: ftyp `heic`, one `hvc1` item with its HEVC decoder
 * configuration and its size), carrying a few bytes in place of real HEVC data: sharp cannot
 * encode HEVC, and the refusal happens before those bytes would matter.
 */
function craftedHeic(width: number, height: number): Buffer {
  const payload = Buffer.from([0, 0, 0, 4, 0x26, 0x01, 0xaf, 0x00]);
  // HEVCDecoderConfigurationRecord: version 1, Main profile, level 3, 4:2:0, 8 bits, 4-byte NAL lengths, no arrays.
  const hvcC = isoBox(
    'hvcC',
    Buffer.from([
      1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0,
    ]),
  );
  const ispe = fullBox('ispe', 0, u32(width), u32(height));
  // Item 1 has properties 1 (hvcC, essential) and 2 (ispe).
  const iprp = isoBox(
    'iprp',
    isoBox('ipco', hvcC, ispe),
    fullBox('ipma', 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02])),
  );
  const hdlr = fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0]));
  const pitm = fullBox('pitm', 0, u16(1));
  const iinf = fullBox(
    'iinf',
    0,
    u16(1),
    fullBox('infe', 2, u16(1), u16(0), Buffer.from('hvc1\0', 'latin1')),
  );
  const ftyp = isoBox('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  // iloc: 4-byte offsets and lengths, no base offset; item 1 is one extent in the mdat.
  const meta = (offset: number) =>
    fullBox(
      'meta',
      0,
      hdlr,
      pitm,
      fullBox(
        'iloc',
        0,
        Buffer.from([0x44, 0x00]),
        u16(1),
        u16(1),
        u16(0),
        u16(1),
        u32(offset),
        u32(payload.length),
      ),
      iinf,
      iprp,
    );
  const payloadOffset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(payloadOffset), isoBox('mdat', payload)]);
}
