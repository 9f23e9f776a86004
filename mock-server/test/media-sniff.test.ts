import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { mediaKind, SNIFF_BYTES, sniffType } from '../src/storage/media-sniff';

/**
 * Sniffing an upload's real type from its first bytes, whatever the client declared: images,
 * video, text, and the SVG and HTML the server blocks by default however they are dressed up.
 */

const bytes = (text: string) => new TextEncoder().encode(text);
const solid = () => sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } });

describe('sniffType', () => {
  it('knows images by their signatures', async () => {
    expect(await sniffType(await solid().png().toBuffer())).toEqual({ mime: 'image/png', ext: 'png' });
    expect(await sniffType(await solid().jpeg().toBuffer())).toEqual({ mime: 'image/jpeg', ext: 'jpg' });
    expect(await sniffType(await solid().webp().toBuffer())).toEqual({ mime: 'image/webp', ext: 'webp' });
    expect(await sniffType(await solid().gif().toBuffer())).toEqual({ mime: 'image/gif', ext: 'gif' });
  });

  it('knows an MP4 by its ftyp box', async () => {
    // size 24, 'ftyp', major brand 'isom', minor version 0x200, compatible brands isom, iso2
    const mp4 = Uint8Array.from([
      0x00,
      0x00,
      0x00,
      0x18,
      ...bytes('ftypisom'),
      0x00,
      0x00,
      0x02,
      0x00,
      ...bytes('isomiso2'),
    ]);
    expect(await sniffType(mp4)).toEqual({ mime: 'video/mp4', ext: 'mp4' });
  });

  it('takes only the head: a sample cut at SNIFF_BYTES still sniffs', async () => {
    const png = await sharp({
      create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian' } },
    })
      .png()
      .toBuffer();
    expect(png.length).toBeGreaterThan(SNIFF_BYTES);
    expect(await sniffType(png.subarray(0, SNIFF_BYTES))).toEqual({ mime: 'image/png', ext: 'png' });
  });

  it('calls UTF-8 text plain text, whatever the file was named', async () => {
    // What a client might upload as "photo.jpg".
    expect(await sniffType(bytes('Not a photo at all.\nJust text, ünïcødé 👋\n'))).toEqual({
      mime: 'text/plain',
      ext: 'txt',
    });
  });

  it('keeps text whose head ends inside a character', async () => {
    const text = bytes(`${'a'.repeat(SNIFF_BYTES - 1)}é`); // é is two bytes: the head keeps the first
    expect(await sniffType(text.subarray(0, SNIFF_BYTES))).toEqual({ mime: 'text/plain', ext: 'txt' });
  });

  it('finds SVG behind a BOM, whitespace, an XML declaration, comments and a doctype', async () => {
    const svg = { mime: 'image/svg+xml', ext: 'svg' };
    const shape = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    expect(await sniffType(bytes(shape))).toEqual(svg);
    expect(await sniffType(bytes(`\uFEFF  \n${shape}`))).toEqual(svg);
    expect(
      await sniffType(bytes(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n${shape}`)),
    ).toEqual(svg);
    expect(
      await sniffType(
        bytes(
          '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>',
        ),
      ),
    ).toEqual(svg);
    // A doctype with an internal subset, then a namespaced root.
    expect(
      await sniffType(
        bytes(
          '<?xml version="1.0"?><!DOCTYPE x [ <!ENTITY e "<p>"> ]><svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>',
        ),
      ),
    ).toEqual(svg);
    // Longer than the head: the root is seen before the cut.
    const long = bytes(`<?xml version="1.0"?><svg><!-- ${'x'.repeat(SNIFF_BYTES)} --></svg>`);
    expect(await sniffType(long.subarray(0, SNIFF_BYTES))).toEqual(svg);
    // A doctype longer than the head: its name says svg.
    const longDoctype = bytes(`<!DOCTYPE svg [ <!ENTITY pad "${'x'.repeat(SNIFF_BYTES)}"> ]><svg/>`);
    expect(await sniffType(longDoctype.subarray(0, SNIFF_BYTES))).toEqual(svg);
    // Markup in a prolog cut by the end of the head: an <svg there is enough.
    const commented = bytes(`<!-- <svg onload="alert(1)"> ${'x'.repeat(SNIFF_BYTES)} --><svg/>`);
    expect(await sniffType(commented.subarray(0, SNIFF_BYTES))).toEqual(svg);
    // An SVG hidden behind a comment longer than the head is beyond sniffing: it is plain text,
    // which is how it will be served (with nosniff), and no browser renders plain text as SVG.
    const hidden = bytes(`<!-- ${'x'.repeat(SNIFF_BYTES)} --><svg/>`);
    expect(await sniffType(hidden.subarray(0, SNIFF_BYTES))).toEqual({ mime: 'text/plain', ext: 'txt' });
  });

  it('finds HTML by its doctype or its first element', async () => {
    const html = { mime: 'text/html', ext: 'html' };
    expect(await sniffType(bytes('<!doctype html><title>x</title>'))).toEqual(html);
    expect(await sniffType(bytes('\n\n<!DOCTYPE HTML>\n<p>hi'))).toEqual(html);
    expect(await sniffType(bytes('<HTML><body>hi</body></HTML>'))).toEqual(html);
    expect(await sniffType(bytes('<!-- page --><script>alert(1)</script>'))).toEqual(html);
    expect(
      await sniffType(
        bytes(
          '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"/>',
        ),
      ),
    ).toEqual(html);
  });

  it('leaves other XML as XML and markup-like text as text', async () => {
    expect(
      await sniffType(bytes('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>')),
    ).toEqual({
      mime: 'application/xml',
      ext: 'xml',
    });
    expect(await sniffType(bytes('if a < b and b > c then <svg> is a tag'))).toEqual({
      mime: 'text/plain',
      ext: 'txt',
    });
  });

  it('answers null for bytes it cannot name', async () => {
    // Fixed "random" bytes, with a NUL and invalid UTF-8, so the test never flakes.
    const noise = Uint8Array.from({ length: 512 }, (_, i) => (i * 2654435761 + 12345) >>> 24);
    expect(noise.includes(0) || !isUtf8(noise)).toBe(true);
    expect(await sniffType(noise)).toBeNull();
    expect(await sniffType(Uint8Array.from([0xc3, 0x28, 0x41]))).toBeNull(); // invalid UTF-8
    expect(await sniffType(bytes('text\u0000with a NUL'))).toBeNull();
    expect(await sniffType(new Uint8Array(0))).toBeNull();
  });
});

describe('mediaKind', () => {
  it('calls only the images the server decodes images', () => {
    for (const mime of ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/heic']) {
      expect(mediaKind(mime)).toBe('image');
    }
    expect(mediaKind('image/svg+xml')).toBe('file');
    expect(mediaKind('image/tiff')).toBe('file');
    expect(mediaKind('image/vnd.adobe.photoshop')).toBe('file');
  });

  it('sorts video, audio and everything else', () => {
    expect(mediaKind('video/mp4')).toBe('video');
    expect(mediaKind('video/quicktime')).toBe('video');
    expect(mediaKind('audio/mpeg')).toBe('audio');
    expect(mediaKind('audio/ogg')).toBe('audio');
    expect(mediaKind('application/pdf')).toBe('file');
    expect(mediaKind('text/html')).toBe('file');
    expect(mediaKind('text/plain')).toBe('file');
  });
});

function isUtf8(data: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}
