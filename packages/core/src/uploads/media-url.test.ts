import { describe, expect, it } from 'vitest';
import { resolveMediaUrl } from './media-url';

describe('resolveMediaUrl', () => {
  const base = 'https://chat.example/';
  it('keeps http(s) URLs and makes server paths absolute', () => {
    expect(resolveMediaUrl(base, 'https://cdn.example/a.png')).toBe('https://cdn.example/a.png');
    expect(resolveMediaUrl(base, '/v1/storage/file?token=a.b')).toBe(
      'https://chat.example/v1/storage/file?token=a.b',
    );
  });
  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>',
    '//evil.example/x.png',
    '/\\evil.example/x.png',
    'v1/relative',
    '',
    null,
    undefined,
  ])('refuses %s', (url) => {
    expect(resolveMediaUrl(base, url)).toBeNull();
  });
});
