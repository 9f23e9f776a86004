// Loaded on demand (see `use-markdown.ts`): `marked` stays out of the first-load bundle.
import { Lexer, type MarkedOptions, type Token, Tokenizer, type Tokens } from 'marked';
import type { ReactNode } from 'react';
import { safeLinkHref } from '../../text/link-href';
import { matchUrlAt } from '../../text/linkify';
import { ExternalLink } from './external-link';
import { linkedText } from './linked-text';

/**
 * marked's tokenizer with two chat rules. Bare URLs follow the kit's own linkify (same trailing
 * punctuation rules as plain text, and `_`/`*` inside a URL stay part of it). Indented code is
 * off: in a chat four leading spaces are pasted text, not a code block (fences still make one).
 */
class ChatTokenizer extends Tokenizer {
  override url(src: string): Tokens.Link | undefined {
    const found = matchUrlAt(src);
    if (!found) return undefined;
    const text: Tokens.Text = { type: 'text', raw: found.raw, text: found.raw };
    return { type: 'link', raw: found.raw, href: found.href, title: null, text: found.raw, tokens: [text] };
  }
  override code(): undefined {
    return undefined;
  }
}

// GFM (strikethrough, task lists) with a line break for every newline, as people type in a chat.
const OPTIONS: MarkedOptions = { gfm: true, breaks: true, tokenizer: new ChatTokenizer() };

interface Context {
  readonly mentions: readonly string[];
  readonly inLink: boolean;
}

/**
 * A message's markdown as React elements. marked only tokenizes; every element is made here from
 * a closed list of token types, so nothing the sender writes becomes HTML: raw HTML, tables,
 * reference definitions and any token not listed show as the characters typed. Links keep only
 * http(s) and mailto targets (else the source shows as text), images become links (attachments
 * are the way to share pictures), headings are bold text (a message is not a page outline).
 *
 * @example
 * renderMarkdown('**hi** <b>x</b>', []) // <p><strong>hi</strong> &lt;b&gt;x&lt;/b&gt;</p>
 */
export function renderMarkdown(text: string, mentions: readonly string[]): ReactNode {
  return blocks(Lexer.lex(text, OPTIONS), { mentions, inLink: false }, 'b');
}

function blocks(tokens: readonly Token[], ctx: Context, key: string): ReactNode[] {
  return tokens.map((token, index) => block(token, ctx, `${key}.${index}`));
}

function block(token: Token, ctx: Context, key: string): ReactNode {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case 'space':
      return null;
    case 'paragraph':
      return (
        <p key={key} className="chat-markdown__paragraph">
          {inlines(t.tokens, ctx, key)}
        </p>
      );
    case 'heading':
      return (
        <p key={key} className="chat-markdown__paragraph">
          <strong>{inlines(t.tokens, ctx, key)}</strong>
        </p>
      );
    case 'blockquote':
      return (
        <blockquote key={key} className="chat-markdown__quote">
          {blocks(t.tokens ?? [], ctx, key)}
        </blockquote>
      );
    case 'list':
      return list(token as Tokens.List, ctx, key);
    case 'code':
      return (
        <pre key={key} className="chat-markdown__code-block">
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case 'hr':
      return <hr key={key} className="chat-markdown__rule" />;
    case 'checkbox':
      return checkbox(token as Tokens.Checkbox);
    case 'text':
      // The text of a tight list item: inline content without a paragraph around it.
      return (
        <span key={key}>
          {t.tokens ? inlines(t.tokens, ctx, key) : linkedText(t.text, ctx.mentions, key)}
        </span>
      );
    default:
      // Raw HTML, tables, link definitions, anything new: the source, as text.
      return (
        <p key={key} className="chat-markdown__paragraph chat-markdown__source">
          {linkedText(token.raw.replace(/\n+$/, ''), ctx.mentions, key)}
        </p>
      );
  }
}

function list(token: Tokens.List, ctx: Context, key: string): ReactNode {
  const items = token.items.map((item, index) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: items of one immutable text
    <li key={index}>{blocks(item.tokens, ctx, `${key}.${index}`)}</li>
  ));
  if (!token.ordered) {
    return (
      <ul key={key} className="chat-markdown__list">
        {items}
      </ul>
    );
  }
  const start = typeof token.start === 'number' && token.start !== 1 ? token.start : undefined;
  return (
    <ol key={key} className="chat-markdown__list" start={start}>
      {items}
    </ol>
  );
}

/** A task list item's box: a character, not a form control that nobody could submit. */
const checkbox = (token: Tokens.Checkbox) => (token.checked ? '☑ ' : '☐ ');

function inlines(tokens: readonly Token[] | undefined, ctx: Context, key: string): ReactNode[] {
  return (tokens ?? []).map((token, index) => inline(token, ctx, `${key}.${index}`));
}

function inline(token: Token, ctx: Context, key: string): ReactNode {
  const t = token as Tokens.Generic;
  switch (token.type) {
    case 'text':
      return t.tokens ? (
        <span key={key}>{inlines(t.tokens, ctx, key)}</span>
      ) : (
        <span key={key}>{linkedText(t.text, ctx.mentions, key, ctx.inLink)}</span>
      );
    case 'escape':
      return t.text;
    case 'strong':
      return <strong key={key}>{inlines(t.tokens, ctx, key)}</strong>;
    case 'em':
      return <em key={key}>{inlines(t.tokens, ctx, key)}</em>;
    case 'del':
      return <del key={key}>{inlines(t.tokens, ctx, key)}</del>;
    case 'codespan':
      return (
        <code key={key} className="chat-markdown__code">
          {t.text}
        </code>
      );
    case 'br':
      return <br key={key} />;
    case 'checkbox':
      return checkbox(token as Tokens.Checkbox);
    case 'link':
    case 'image': {
      // A picture inside a link (`[![alt](img)](url)`) is its description.
      if (token.type === 'image' && ctx.inLink) return t.text || token.raw;
      const href = ctx.inLink ? null : safeLinkHref(t.href);
      if (!href) return <span key={key}>{linkedText(token.raw, ctx.mentions, key, true)}</span>;
      const label =
        token.type === 'image' ? t.text || href : inlines(t.tokens, { ...ctx, inLink: true }, key);
      return (
        <ExternalLink key={key} href={href}>
          {label}
        </ExternalLink>
      );
    }
    default:
      // Inline HTML and anything not listed above: the source, as text.
      return <span key={key}>{linkedText(token.raw, ctx.mentions, key, ctx.inLink)}</span>;
  }
}
