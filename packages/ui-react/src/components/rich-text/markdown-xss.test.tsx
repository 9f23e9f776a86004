import { render, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageText } from '../message-text';

// The OWASP XSS filter evasion classics, and markdown's own ways to smuggle a link or element.
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>',
  '<<script>alert(1);//<</script>',
  '<img src=x onerror=alert(1)>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  '<IMG SRC=JaVaScRiPt:alert(1)>',
  '<img src=x:alert(alt) onerror=eval(src) alt=0>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="&#x6A;avascript:alert(1)">click</a>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '<p style="width: expression(alert(1))">old IE</p>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<body onload=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<object data="javascript:alert(1)">',
  '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x]( javascript:alert(1) )',
  '[x](<java script:alert(1)>)',
  '[x](<javascript:alert(1)>)',
  '[x](javascript&colon;alert(1))',
  '[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[x](jav&#x09;ascript:alert(1))',
  '[x](jav&#x61;script:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](java\nscript:alert(1))',
  '[x](\u0001javascript:alert(1))',
  '[x](javascript://%0Aalert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](data:text/html,<script>alert(1)</script>)',
  '[x](file:///etc/passwd)',
  '[x](//evil.example/path)',
  '[x](/relative/path)',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<data:text/html,alert(1)>',
  '![x](javascript:alert(1))',
  '![x](https://evil.example/x.png" onerror="alert(1))',
  '![x](https://evil.example/x.png)',
  '[![x](javascript:alert(1))](javascript:alert(2))',
  '[[x](javascript:alert(1))](https://ok.example)',
  '[a](https://ok.example)[b](javascript:alert(1))',
  '[x](https://ok.example "t" onclick=alert(1))',
  '[x](https://ok.example/"onmouseover="alert(1))',
  '[x]: javascript:alert(1)\n\n[reference][x]',
  '[x][y]\n\n[y]: <javascript:alert(1)> "title"',
  '`<script>alert(1)</script>`',
  '```\n<script>alert(1)</script>\n```',
  '**<img src=x onerror=alert(1)>**',
  '> <svg onload=alert(1)>',
  '- <iframe src=javascript:alert(1)>',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
];

const FORBIDDEN_ELEMENTS =
  'script, iframe, img, svg, math, object, embed, form, input, style, link, meta, base, video, audio, frame, frameset, details, body, div div, table';

/** Everything in the rendered message that could run code or load something. */
function unsafeParts(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of root.querySelectorAll(FORBIDDEN_ELEMENTS)) found.push(`<${el.tagName.toLowerCase()}>`);
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) || attr.name === 'style' || attr.name === 'src' || attr.name === 'srcdoc') {
        found.push(`${el.tagName.toLowerCase()}[${attr.name}]`);
      }
    }
  }
  for (const a of root.querySelectorAll('[href]')) {
    const href = a.getAttribute('href')!;
    if (a.tagName !== 'A' || !/^(https?:\/\/|mailto:)/.test(href)) found.push(`href=${href}`);
  }
  return found;
}

async function renderSettled(text: string) {
  const { container } = render(<MessageText text={text} />);
  // Every payload has markdown syntax (`<`, `[`, `` ` ``…): wait for the markdown renderer.
  await waitFor(() => expect(container.querySelector('.chat-message-text--markdown')).not.toBeNull());
  return container.querySelector<HTMLElement>('[data-testid="chat-message-text"]')!;
}

const pwned = () => (window as { __pwned?: unknown }).__pwned;

afterEach(() => {
  expect(pwned()).toBeUndefined();
});

describe('markdown never renders hostile input as live HTML', () => {
  it.each(PAYLOADS.filter((p) => /[<[`\\*>_~]/.test(p)))('%j', async (payload) => {
    const el = await renderSettled(payload);
    expect(unsafeParts(el)).toEqual([]);
    // The attack is still there to read, as text (or as the target of a harmless link):
    // nothing the sender typed silently vanishes.
    const shown = [el.textContent, ...[...el.querySelectorAll('a')].map((a) => a.href)].join(' ');
    for (const word of payload.match(/alert|msgbox|passwd|script|evil|relative/gi) ?? []) {
      expect(shown.toLowerCase()).toContain(word.toLowerCase());
    }
  });

  it('shows raw HTML exactly as typed', async () => {
    const attack = '<img src=x onerror="window.__pwned = true"> <b>bold</b> <a href="https://x.io">a</a>';
    const el = await renderSettled(attack);
    expect(el.textContent).toBe(attack);
    expect(el.querySelector('img, b')).toBeNull();
    // The URL in the markup is linked as any URL in text is, the element itself is not made.
    expect([...el.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['https://x.io']);
  });

  it('shows a link with a refused target as its source text', async () => {
    const el = await renderSettled('go [here](javascript:alert(1)) now');
    expect(el.querySelector('a')).toBeNull();
    expect(el.textContent).toBe('go [here](javascript:alert(1)) now');
  });

  it('keeps attribute-breaking characters inside the href, encoded', async () => {
    const el = await renderSettled('[x](https://ok.example/"onmouseover="alert(1))');
    const a = el.querySelector('a')!;
    expect(a.getAttributeNames().sort()).toEqual(['class', 'href', 'rel', 'target']);
    expect(a.getAttribute('href')).toBe('https://ok.example/%22onmouseover=%22alert(1)');
  });

  it('plain-text links of the fallback renderer are checked too', () => {
    const { container } = render(<MessageText text="javascript:alert(1) data:text/html,x vbscript:x" />);
    expect(container.querySelector('a')).toBeNull();
  });
});
