// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

interface Problem {
  readonly selector: string;
  readonly reason: string;
}

/** Splits at top-level commas (not inside `:is(a, b)` or `[attr="a,b"]`). */
function splitSelectors(prelude: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of prelude) {
    if (quote) quote = ch === quote ? null : quote;
    else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '[') depth += 1;
    else if (ch === ')' || ch === ']') depth -= 1;
    else if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts.filter(Boolean);
}

/**
 * Every selector of the stylesheet that could reach outside the kit: one not starting at a
 * `.chat-` class (element, `*`, `html`, `body`, `:root`, attribute-only…), a global at-rule, a
 * keyframes or custom property name without the `chat-` prefix.
 */
function unscoped(css: string): Problem[] {
  const source = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const problems: Problem[] = [];
  const walk = (text: string) => {
    let at = 0;
    while (at < text.length) {
      const open = text.indexOf('{', at);
      const semi = text.indexOf(';', at);
      if (open === -1) break;
      if (semi !== -1 && semi < open && text.slice(at, semi).trim().startsWith('@')) {
        problems.push({
          selector: text.slice(at, semi).trim(),
          reason: 'statement at-rule (@import, @charset…)',
        });
        at = semi + 1;
        continue;
      }
      const prelude = text.slice(at, open).trim();
      let depth = 1;
      let end = open + 1;
      while (end < text.length && depth > 0) {
        if (text[end] === '{') depth += 1;
        else if (text[end] === '}') depth -= 1;
        end += 1;
      }
      const body = text.slice(open + 1, end - 1);
      at = end;
      if (
        prelude.startsWith('@media') ||
        prelude.startsWith('@supports') ||
        prelude.startsWith('@container')
      ) {
        walk(body);
      } else if (prelude.startsWith('@keyframes')) {
        if (!/^@keyframes\s+chat-/.test(prelude))
          problems.push({ selector: prelude, reason: 'keyframes name' });
      } else if (prelude.startsWith('@')) {
        problems.push({ selector: prelude, reason: 'global at-rule' });
      } else {
        for (const selector of splitSelectors(prelude)) {
          if (!/^\.chat-[\w-]+/.test(selector))
            problems.push({ selector, reason: 'not under a .chat- class' });
        }
        for (const match of body.matchAll(/(?:^|[;{\s])(--[\w-]+)\s*:/g)) {
          if (!match[1]!.startsWith('--chat-'))
            problems.push({ selector: match[1]!, reason: 'custom property name' });
        }
      }
    }
  };
  walk(source);
  return problems;
}

describe('styles.css', () => {
  it('scopes every selector under a .chat- class: no resets, elements, *, html, body or :root', async () => {
    const css = await readFile(new URL('./styles.css', import.meta.url), 'utf8');
    expect(css.length).toBeGreaterThan(1_000);
    expect(unscoped(css)).toEqual([]);
  });

  it('is light by default, dark by data-theme="dark" or, with data-theme="auto", by the system', async () => {
    const css = await readFile(new URL('./styles.css', import.meta.url), 'utf8');
    expect(css).toMatch(/\.chat-root\[data-theme=['"]dark['"]\]/);
    expect(css).toMatch(
      /@media \(prefers-color-scheme: dark\)\s*\{\s*\.chat-root\[data-theme=['"]auto['"]\]/,
    );
  });

  it('the checker itself catches what leaks', () => {
    const leaks = unscoped(`
      * { box-sizing: border-box; }
      html, body { margin: 0; }
      .chat-ok, button { color: red; }
      :root { --accent: blue; }
      .chat-fine { --chat-x: 1px; --leak: 2px; }
      @media (min-width: 1px) { p { color: blue; } .chat-also-fine { color: red; } }
      @keyframes spin { to { rotate: 1turn; } }
      @import url(x.css);
      @font-face { font-family: x; }
    `);
    expect(leaks.map((p) => p.selector)).toEqual([
      '*',
      'html',
      'body',
      'button',
      ':root',
      '--accent',
      '--leak',
      'p',
      '@keyframes spin',
      '@import url(x.css)',
      '@font-face',
    ]);
  });
});
