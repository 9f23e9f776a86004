import { describe, expect, it } from 'vitest';
import { plainText, readPagePreview } from './link-preview-page';

describe('plainText', () => {
  it('makes one line of plain text within the limit', () => {
    expect(plainText('  a\n\tb\u0000c  ', 10)).toBe('a b c');
    expect(plainText('abcdef', 4)).toBe('abc…');
    expect(plainText('😀😀😀😀', 5)).toBe('😀😀…');
    expect(plainText('x\ud800y', 10)).toBe('xy');
    expect(plainText(' \n ', 10)).toBeNull();
    expect(plainText(undefined, 10)).toBeNull();
  });
});

describe('readPagePreview', () => {
  const page = new URL('https://site.example/a/b');

  it('reads Open Graph tags first, then Twitter tags, then the title; resolves the image', async () => {
    const html =
      '<html><head><title>Tab title</title><meta name="twitter:title" content="Tweet title">' +
      '<meta property="og:description" content="Said &amp; done"><meta name="twitter:image" content="../img.png">' +
      '</head></html>';
    expect(await readPagePreview(html, page)).toEqual({
      title: 'Tweet title',
      description: 'Said & done',
      site_name: null,
      image_url: 'https://site.example/img.png',
    });
  });

  it('never takes an image from the page body, nor one that is not http(s)', async () => {
    const html =
      '<html><head><title>T</title><meta property="og:image" content="data:image/png;base64,AAAA"></head>' +
      '<body><img src="https://site.example/photo.png"></body></html>';
    expect(await readPagePreview(html, page)).toMatchObject({ title: 'T', image_url: null });
  });

  it('has no preview for a page that says nothing about itself', async () => {
    expect(await readPagePreview('<html><body><p>hi</p></body></html>', page)).toBeNull();
    expect(await readPagePreview('not html at all \u0000', page)).toBeNull();
  });
});
