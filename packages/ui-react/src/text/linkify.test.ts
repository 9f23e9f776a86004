import { describe, expect, it } from 'vitest';
import { linkify, matchUrlAt, safeHttpUrl } from './linkify';

describe('linkify', () => {
  it('links http(s) URLs and leaves the rest as text', () => {
    expect(linkify('see https://example.com/a?b=1 now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('keeps trailing prose punctuation and unbalanced brackets out of the link', () => {
    const links = (text: string) =>
      linkify(text)
        .filter((s) => s.kind === 'link')
        .map((s) => s.text);
    expect(links('Go to http://a.io/x.')).toEqual(['http://a.io/x']);
    expect(links('(see https://a.io/wiki/Foo_(bar))')).toEqual(['https://a.io/wiki/Foo_(bar)']);
    expect(links('[https://a.io/y]')).toEqual(['https://a.io/y']);
    expect(links('"https://a.io/q?x=1",')).toEqual(['https://a.io/q?x=1']);
  });

  it('links a www. address without a scheme, as https', () => {
    expect(linkify('try www.example.com/docs, or WWW.Example.org.')).toEqual([
      { kind: 'text', text: 'try ' },
      { kind: 'link', text: 'www.example.com/docs', href: 'https://www.example.com/docs' },
      { kind: 'text', text: ', or ' },
      { kind: 'link', text: 'WWW.Example.org', href: 'https://www.example.org/' },
      { kind: 'text', text: '.' },
    ]);
    // Not an address: "www." alone, no dot after it, or part of a word.
    for (const text of ['www.', 'the www.thing', 'awww.nice.one', 'www.localhost']) {
      expect(
        linkify(text).filter((s) => s.kind === 'link'),
        text,
      ).toEqual([]);
    }
    // An already-schemed URL is linked once.
    expect(linkify('https://www.example.com').filter((s) => s.kind === 'link')).toHaveLength(1);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'file:///etc/passwd',
      'JaVaScRiPt:alert(1)',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('treats markup as plain text', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)>' },
    ]);
  });

  it('accepts only parseable http(s) URLs for images and links', () => {
    expect(safeHttpUrl('https://cdn.example.com/a.png')).toBe('https://cdn.example.com/a.png');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('not a url')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});

describe('matchUrlAt', () => {
  it('finds a URL only at the very start, by linkify’s rules', () => {
    expect(matchUrlAt('https://a.io/__init__/x and more')).toEqual({
      raw: 'https://a.io/__init__/x',
      href: 'https://a.io/__init__/x',
    });
    expect(matchUrlAt('www.example.com/a.')).toEqual({
      raw: 'www.example.com/a',
      href: 'https://www.example.com/a',
    });
    expect(matchUrlAt('see https://a.io')).toBeNull();
    expect(matchUrlAt('javascript:alert(1)')).toBeNull();
  });
});
