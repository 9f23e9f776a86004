import { isSoloChar, unLeet } from './fold-text';

/** A word of folded text, and where it is in it. */
export interface Token {
  text: string;
  start: number;
  end: number;
  /** Known to have no repeated letter and no leetspeak digit: its shape is itself. */
  plain?: boolean;
}

/**
 * The words of folded text: runs of letters and digits; in scripts written without spaces
 * (Chinese, Japanese, Thai) each character is a word, so an entry of several is a phrase.
 */
export function tokenize(text: string): Token[] {
  if (!NON_ASCII.test(text)) return asciiTokens(text);
  const tokens: Token[] = [];
  WORDS.lastIndex = 0;
  for (let match = WORDS.exec(text); match; match = WORDS.exec(text)) {
    tokens.push({ text: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/** The common case, by hand: lower-case ASCII letters and digits, noting plain words on the way. */
function asciiTokens(text: string): Token[] {
  const tokens: Token[] = [];
  let start = -1;
  let plain = true;
  let previous = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const digit = c >= 48 && c <= 57;
    if (digit || (c >= 97 && c <= 122)) {
      if (start < 0) {
        start = i;
        plain = true;
      } else if (c === previous) plain = false;
      // 0 1 3 4 5 7: read as letters (unLeet).
      if (digit && c !== 50 && c !== 54 && c !== 56 && c !== 57) plain = false;
      previous = c;
    } else if (start >= 0) {
      tokens.push({ text: text.slice(start, i), start, end: i, plain });
      start = -1;
      previous = -1;
    }
  }
  return tokens;
}

// Linear: each alternative consumes what the other cannot start with.
const SOLO = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}';
const WORDS = new RegExp(`(?:(?![${SOLO}])[\\p{L}\\p{N}])+|[${SOLO}]`, 'gu');
const NON_ASCII = /[^\p{ASCII}]/u;

const isHighSurrogate = (text: string, i: number) => {
  const code = text.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff;
};

/**
 * A word as it is looked up: leetspeak digits read as letters, then every run of one letter
 * collapsed to one (`heeelllo` → `helo`), with the runs' lengths kept (null when all are 1) so
 * that repeated letters can be told from a word's own double letters (see `runsAgree`).
 */
export interface WordShape {
  key: string;
  runs: number[] | null;
}

/** A repeated letter or a leetspeak digit: anything that makes a word's key differ from it. */
const PLAIN = /(.)\1|[013457]/;

/** A token's shape, without looking at it again when the tokenizer knows it is plain. */
export function shapeOfToken(token: Token): WordShape {
  return token.plain ? { key: token.text, runs: null } : shapeOf(token.text);
}

export function shapeOf(word: string): WordShape {
  if (!PLAIN.test(word)) return { key: word, runs: null };
  const text = unLeet(word);
  let key = '';
  let runs: number[] | null = null;
  let i = 0;
  let index = 0;
  while (i < text.length) {
    const char = text[i]!;
    let j = i + 1;
    while (j < text.length && text[j] === char) j++;
    key += char;
    if (j - i > 1) {
      runs ??= new Array<number>(index).fill(1);
    }
    runs?.push(j - i);
    index++;
    i = j;
  }
  return { key, runs };
}

/**
 * Whether a word of the text is an entry, given the same key: each letter run is as long as the
 * entry's, or is a repetition of 3 or more at least as long. So `baaad` is `bad` and `sooo` is
 * `so`, but a doubled letter is ordinary spelling: `good` is not the entry `god`, nor `as` `ass`.
 */
export function runsAgree(word: number[] | null, entry: number[] | null): boolean {
  if (!word) return !entry;
  for (let i = 0; i < word.length; i++) {
    const w = word[i]!;
    const e = entry ? entry[i]! : 1;
    if (w !== e && (w < 3 || w < e)) return false;
  }
  return true;
}

/** The longest run of letters spread out with gaps (`b . a . d`) that is joined and looked up. */
export const JOIN_MAX = 24;
/** Characters between spread-out letters: `b.a.d`, `b a d`, `b - a - d`, not more. */
const JOIN_GAP = 3;

/**
 * Runs of one-character words close together (`b.a.d`, `b a d`, `f_o_o`): the evasion of
 * spreading a word out. Each run is returned as the indexes of its first and last token.
 */
export function spreadRuns(tokens: Token[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let first = -1;
  for (let i = 0; i <= tokens.length; i++) {
    const token = tokens[i];
    const single = token !== undefined && isOneChar(token.text);
    const close =
      single && first >= 0 && token.start - tokens[i - 1]!.end <= JOIN_GAP && i - first < JOIN_MAX;
    if (close) continue;
    if (first >= 0 && i - 1 > first) runs.push([first, i - 1]);
    first = single ? i : -1;
  }
  return runs;
}

/** One letter or digit, of a script that spaces its words (a Chinese character is a word by itself). */
const isOneChar = (text: string) =>
  (text.length === 1 || (text.length === 2 && isHighSurrogate(text, 0))) && !isSoloChar(text, 0);
