import { describe, expect, it } from 'vitest';
import { type BlocklistSpec, CompiledBlocklists, MASK } from './blocklist-matcher';

const list = (
  kind: BlocklistSpec['kind'],
  entries: string[],
  mode: BlocklistSpec['mode'] = 'mask',
): BlocklistSpec => ({
  id: `${kind}-${mode}`,
  name: kind,
  kind,
  mode,
  reason: null,
  entries,
});
const masked = (lists: BlocklistSpec[], text: string) => new CompiledBlocklists(lists).evaluate(text).text;

describe('blocklist matcher', () => {
  const words = [list('word', ['bad', 'ass', 'god', 'hello'])];

  it.each([
    ['this is bad', `this is ${MASK}`],
    ['BÁD idea', `${MASK} idea`],
    ['b.a.d', MASK],
    ['x b a d y', `x ${MASK} y`],
    ['baaaad', MASK],
    ['b4d', MASK],
    ['ｂａｄ', MASK],
    ['b\u200Bad', MASK],
    ['b\u0430d', MASK],
    ['h3ll0 w0rld', `${MASK} w0rld`],
    ['good god', `good ${MASK}`],
  ])('masks %j', (text, expected) => {
    expect(masked(words, text)).toBe(expected);
  });

  it.each(['class act', 'as you like', 'badd', 'badword', 'ba.d', 'bad'.slice(0, 2)])(
    'leaves %j alone (whole words; a doubled letter is spelling)',
    (text) => {
      expect(masked(words, text)).toBe(text);
    },
  );

  it('keeps text outside the matches exactly, astral characters and all', () => {
    expect(masked(words, '😀 Bad 😀 ok')).toBe(`😀 ${MASK} 😀 ok`);
  });

  it('phrases match consecutive words across punctuation; words of spaceless scripts are phrases', () => {
    const lists = [list('phrase', ['kill yourself']), list('word', ['傻瓜'])];
    expect(masked(lists, 'Kill... YOUR self')).toBe('Kill... YOUR self');
    expect(masked(lists, 'go kill, yourself now')).toBe(`go ${MASK} now`);
    expect(masked(lists, '你是傻瓜吗')).toBe(`你是${MASK}吗`);
  });

  it('domains cover subdomains and punycode; emails are whole addresses', () => {
    const lists = [list('domain', ['evil.com', 'xn--e1afmkfd.com']), list('email', ['spam@x.org'])];
    expect(masked(lists, 'https://www.EVIL.com/x and evil.com.')).toBe(`https://${MASK}/x and ${MASK}.`);
    expect(masked(lists, 'notevil.com')).toBe('notevil.com');
    expect(masked(lists, 'ｅｖｉｌ．ｃｏｍ')).toBe(MASK);
    expect(masked(lists, 'see пример.com')).toBe(`see ${MASK}`);
    expect(masked(lists, 'mail spam@x.org or ham@x.org')).toBe(`mail ${MASK} or ham@x.org`);
  });

  it('regexes run in linear time: (a+)+$ on 10 KB returns', () => {
    const compiled = new CompiledBlocklists([list('regex', ['(a+)+$'], 'block')]);
    expect(compiled.evaluate(`${'a'.repeat(10_000)}!`).block).toBeNull();
    expect(compiled.evaluate('a'.repeat(10_000)).block).toMatchObject({ entry: '(a+)+$' });
  });

  it('block wins; flags are reported beside a mask', () => {
    const lists = [
      list('word', ['one'], 'flag'),
      list('word', ['two'], 'mask'),
      list('word', ['three'], 'block'),
    ];
    const compiled = new CompiledBlocklists(lists);
    const result = compiled.evaluate('one two');
    expect(result).toMatchObject({ block: null, masked: true, text: `one ${MASK}` });
    expect(result.flags.map((hit) => hit.entry)).toEqual(['one']);
    expect(compiled.evaluate('one two three').block).toMatchObject({ entry: 'three' });
  });
});
