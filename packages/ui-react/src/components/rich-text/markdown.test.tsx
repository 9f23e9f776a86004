import { render, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MessageText } from '../message-text';

/** `<MessageText>` once the markdown renderer (loaded on demand) has replaced the plain first render. */
async function renderText(text: string, mentions: readonly string[] = []) {
  const { container } = render(<MessageText text={text} mentions={mentions} />);
  await waitFor(() => expect(container.querySelector('.chat-message-text--markdown')).not.toBeNull());
  return container.querySelector<HTMLElement>('[data-testid="chat-message-text"]')!;
}

const textsOf = (root: HTMLElement, selector: string) =>
  [...root.querySelectorAll(selector)].map((el) => el.textContent);

describe('markdown in messages', () => {
  it('shows the plain text at once, then the formatting', async () => {
    const { container } = render(<MessageText text="**now** see https://a.io" />);
    // The first render is the plain renderer: the text is there, with its link, never empty.
    const first = container.querySelector('[data-testid="chat-message-text"]')!;
    expect(first.textContent).toBe('**now** see https://a.io');
    expect(first.querySelector('a')?.getAttribute('href')).toBe('https://a.io/');
    await waitFor(() => expect(container.querySelector('strong')?.textContent).toBe('now'));
    expect(container.textContent).toBe('now see https://a.io');
  });

  it('renders bold, italic and strikethrough', async () => {
    const el = await renderText('**bold** __also__ *it* _alic_ ~~gone~~');
    expect(textsOf(el, 'strong')).toEqual(['bold', 'also']);
    expect(textsOf(el, 'em')).toEqual(['it', 'alic']);
    expect(textsOf(el, 'del')).toEqual(['gone']);
    expect(el.textContent).toBe('bold also it alic gone');
  });

  it('renders inline code as typed: no links, mentions or formatting inside', async () => {
    const el = await renderText('run `npm i **x** https://a.io @Bob <b>`', ['Bob']);
    expect(textsOf(el, 'code')).toEqual(['npm i **x** https://a.io @Bob <b>']);
    expect(el.querySelector('a, strong, b, .chat-message-text__mention')).toBeNull();
  });

  it('renders a fenced code block, keeping its lines and markup as text', async () => {
    const el = await renderText('look:\n```ts\nconst a = 1;\n  <b>x</b> **y**\n```');
    const pre = el.querySelector('pre code');
    expect(pre?.textContent).toBe('const a = 1;\n  <b>x</b> **y**');
    expect(el.querySelector('b, strong')).toBeNull();
  });

  it('does not turn indented text into code (pasted text, not a code block)', async () => {
    const el = await renderText('*list*\n\n    indented line');
    expect(el.querySelector('pre')).toBeNull();
    expect(el.textContent).toContain('indented line');
  });

  it('renders block quotes with their line breaks', async () => {
    const el = await renderText('> first line\n> second **line**\n\nafter');
    const quote = el.querySelector('blockquote');
    expect(quote?.textContent).toBe('first linesecond line');
    expect(quote?.querySelectorAll('br')).toHaveLength(1);
    expect(quote?.querySelector('strong')?.textContent).toBe('line');
    expect(el.lastElementChild?.textContent).toBe('after');
  });

  it('renders bullet, numbered and task lists', async () => {
    const el = await renderText('- one\n- **two**\n\n3. three\n4. four\n\n- [ ] todo\n- [x] done');
    const [bullets, numbered, tasks] = [...el.querySelectorAll('ul, ol')];
    expect(bullets?.tagName).toBe('UL');
    expect(textsOf(bullets as HTMLElement, 'li')).toEqual(['one', 'two']);
    expect(numbered?.tagName).toBe('OL');
    expect(numbered?.getAttribute('start')).toBe('3');
    expect(textsOf(numbered as HTMLElement, 'li')).toEqual(['three', 'four']);
    expect(textsOf(tasks as HTMLElement, 'li')).toEqual(['☐ todo', '☑ done']);
    expect(el.querySelector('input')).toBeNull();
  });

  it('links markdown links, autolinks, bare URLs and www. addresses, opening safely in a new tab', async () => {
    const el = await renderText(
      '[docs](https://example.com/docs) <https://a.io/x> https://b.io/__init__/x www.example.org [mail](mailto:ann@example.com).',
    );
    const links = [...el.querySelectorAll('a')];
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['docs', 'https://example.com/docs'],
      ['https://a.io/x', 'https://a.io/x'],
      // Underscores inside a URL are part of it, not emphasis.
      ['https://b.io/__init__/x', 'https://b.io/__init__/x'],
      ['www.example.org', 'https://www.example.org/'],
      ['mail', 'mailto:ann@example.com'],
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
    expect(el.querySelector('strong')).toBeNull();
  });

  it('keeps linkify’s rules for trailing punctuation and brackets', async () => {
    const el = await renderText('*see* (https://a.io/wiki/Foo_(bar)), and https://a.io/x.');
    expect([...el.querySelectorAll('a')].map((a) => a.textContent)).toEqual([
      'https://a.io/wiki/Foo_(bar)',
      'https://a.io/x',
    ]);
  });

  it('renders headings as bold text, not as page headings', async () => {
    const el = await renderText('# Big news\n## Smaller\nbody');
    expect(el.querySelector('h1, h2, h3, h4, h5, h6')).toBeNull();
    expect(textsOf(el, 'strong')).toEqual(['Big news', 'Smaller']);
  });

  it('shows an image as a link to it, never as an <img>', async () => {
    const el = await renderText('![a cat](https://example.com/cat.png) and ![](https://example.com/dog.png)');
    expect(el.querySelector('img')).toBeNull();
    expect([...el.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['a cat', 'https://example.com/cat.png'],
      ['https://example.com/dog.png', 'https://example.com/dog.png'],
    ]);
  });

  it('highlights mentions in formatted text, but not inside links or code', async () => {
    const el = await renderText('**hey @Bob** and _@Ann_ `@Bob`', ['Bob', 'Ann']);
    expect(textsOf(el, '.chat-message-text__mention')).toEqual(['@Bob', '@Ann']);
  });

  it('keeps escaped characters and line breaks', async () => {
    const el = await renderText('\\*not italic\\*\nsecond  line');
    expect(el.querySelector('em')).toBeNull();
    expect(el.querySelectorAll('br')).toHaveLength(1);
    expect(el.textContent).toBe('*not italic*second  line');
  });

  it('shows tables and raw HTML blocks as the text typed', async () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |';
    const el = await renderText(`${table}\n\n<div>\n*x*\n</div>`);
    expect(el.querySelector('table, div div')).toBeNull();
    expect(el.textContent).toBe(`${table}<div>\n*x*\n</div>`);
  });

  it('renders a thematic break as a rule', async () => {
    const el = await renderText('above\n\n---\n\nbelow');
    expect(el.querySelector('hr')).not.toBeNull();
  });

  it('leaves text without markdown, and markdown={false}, as plain text', async () => {
    const { container } = render(
      <>
        <MessageText text="see you at 5, ok? https://a.io" />
        <MessageText text="**not bold** _here_" markdown={false} />
      </>,
    );
    // Give a load a chance to happen: neither may switch to the markdown renderer.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [plain, off] = [...container.querySelectorAll('[data-testid="chat-message-text"]')];
    expect(container.querySelector('.chat-message-text--markdown')).toBeNull();
    expect(plain?.querySelector('a')?.getAttribute('href')).toBe('https://a.io/');
    expect(off?.textContent).toBe('**not bold** _here_');
  });
});
