import { describe, expect, it } from 'vitest';
import { mayContainMarkdown } from './markdown-syntax';

describe('mayContainMarkdown', () => {
  it('says no for everyday text, so the renderer is not loaded for it', () => {
    for (const text of ['see you at 5, ok?', 'https://a.io/x?y=1', 'Price: $5 - $10', 'a - b', '3.5 stars']) {
      expect(mayContainMarkdown(text), text).toBe(false);
    }
  });

  it('says yes for any syntax that formats', () => {
    for (const text of [
      '**b**',
      '_i_',
      '~~s~~',
      '`c`',
      '[a](b)',
      '\\*',
      '<https://a.io>',
      '> quote',
      '# title',
      '- item',
      '1. item',
      'a\n---',
    ]) {
      expect(mayContainMarkdown(text), text).toBe(true);
    }
  });
});
