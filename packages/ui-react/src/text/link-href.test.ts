import { describe, expect, it } from 'vitest';
import { safeLinkHref } from './link-href';

describe('safeLinkHref', () => {
  it('keeps absolute http(s) and mailto URLs, normalised, and takes www. as https', () => {
    expect(safeLinkHref('HTTPS://Example.com/a b')).toBe('https://example.com/a%20b');
    expect(safeLinkHref('http://a.io')).toBe('http://a.io/');
    expect(safeLinkHref('mailto:ann@example.com')).toBe('mailto:ann@example.com');
    expect(safeLinkHref('www.example.com/x')).toBe('https://www.example.com/x');
  });

  it('refuses every other scheme, however it is written', () => {
    for (const raw of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0001javascript:alert(1)',
      'jav&#x61;script:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://a.io',
      '//evil.example',
      '/relative',
      '',
      null,
    ]) {
      expect(safeLinkHref(raw), String(raw)).toBeNull();
    }
  });
});
