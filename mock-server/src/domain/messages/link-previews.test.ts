import { describe, expect, it } from 'vitest';
import { previewLinks } from './link-previews';

describe('previewLinks', () => {
  it('finds http(s) links as written, without the punctuation around them', () => {
    expect(
      previewLinks(
        'See https://a.example/x. Or (https://b.example/wiki/Foo_(bar)), "http://c.example/?q=1"!',
      ),
    ).toEqual(['https://a.example/x', 'https://b.example/wiki/Foo_(bar)', 'http://c.example/?q=1']);
  });

  it('keeps the first three distinct links', () => {
    const text = 'https://a.example https://a.example https://b.example https://c.example https://d.example';
    expect(previewLinks(text)).toEqual(['https://a.example', 'https://b.example', 'https://c.example']);
  });

  it('ignores what is not an http(s) URL', () => {
    expect(previewLinks('ftp://a.example javascript:alert(1) www.b.example <https://> mailto:x@y.z')).toEqual(
      [],
    );
    expect(previewLinks(`https://a.example/${'x'.repeat(2_100)}`)).toEqual([]);
  });

  it('keeps a link written with Unicode as written', () => {
    expect(previewLinks('https://ru.wikipedia.org/wiki/Москва, nice')).toEqual([
      'https://ru.wikipedia.org/wiki/Москва',
    ]);
  });
});
