/**
 * The text blocklists are matched against: every character folded on its own, so each folded
 * character still points at the span of the original it came from (masking replaces spans of
 * the original text).
 *
 * Folding one character: compatibility decomposition (NFKD: full-width `Ｂ` → `B`, ligatures
 * `ﬁ` → `fi`, circled and styled letters → plain ones), diacritics and other marks dropped
 * (`é` → `e`), full case folding (`ß` → `ss`, `Σ`/`ς` → `σ`), NFKC again, then a few look-alike
 * letters of Cyrillic and Greek mapped to the Latin letter they imitate (`а` → `a`). Invisible
 * characters (Unicode's default-ignorable set: zero-width spaces and joiners, soft hyphens,
 * bidirectional marks, variation selectors…) are dropped. Entries are folded the same way, so
 * both sides always agree.
 */

/** Cyrillic and Greek letters drawn like a Latin one (lower case: folding comes first). */
const LOOKALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
};

const MARKS = /\p{M}/gu;
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
/** Folded forms of the characters seen so far, past ASCII (bounded: text can hold any of 1.1 M). */
const folded = new Map<number, string>();
const FOLD_CACHE_MAX = 20_000;

/** ASCII folds to itself, letters in lower case: looked up, never computed. */
const ASCII: string[] = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code).toLowerCase());

function foldCodePoint(cp: number, char: string): string {
  const cached = folded.get(cp);
  if (cached !== undefined) return cached;
  let out = '';
  if (!IGNORABLE.test(char)) {
    const plain = char.normalize('NFKD').replace(MARKS, '');
    for (const c of plain.toUpperCase().toLowerCase().normalize('NFKC')) out += LOOKALIKES[c] ?? c;
  }
  if (folded.size < FOLD_CACHE_MAX) folded.set(cp, out);
  return out;
}

export interface FoldedText {
  /** The folded text. */
  text: string;
  /**
   * For each UTF-16 unit of `text`, where the original character it came from starts and ends;
   * null when every unit is where it was (plain ASCII).
   */
  start: Int32Array | null;
  end: Int32Array | null;
}

const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;

/** Folds `original`, keeping where each folded unit came from. */
export function foldWithOffsets(original: string): FoldedText {
  // Most chat is plain ASCII: folding is lower-casing, and each unit stays where it was.
  if (PRINTABLE_ASCII.test(original)) return { text: original.toLowerCase(), start: null, end: null };
  // Folding rarely lengthens text much (a ligature, `ß`); grown when it does.
  let start: Int32Array = new Int32Array(original.length + 16);
  let end: Int32Array = new Int32Array(original.length + 16);
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; i < original.length; ) {
    const code = original.charCodeAt(i);
    let out: string;
    let width = 1;
    if (code < 128) out = ASCII[code]!;
    else {
      const cp = original.codePointAt(i)!;
      width = cp > 0xffff ? 2 : 1;
      out = foldCodePoint(cp, original.slice(i, i + width));
    }
    if (n + out.length > start.length) {
      const size = Math.max(start.length * 2, n + out.length);
      start = grow(start, size);
      end = grow(end, size);
    }
    for (let k = 0; k < out.length; k++) {
      start[n] = i;
      end[n] = i + width;
      n++;
    }
    parts.push(out);
    i += width;
  }
  return { text: parts.join(''), start: start.subarray(0, n), end: end.subarray(0, n) };
}

function grow(array: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}

/** Folds text with no offsets kept (entries). */
export function fold(text: string): string {
  return foldWithOffsets(text).text;
}

/** Digits read as letters inside a word that has letters (`h3ll0` → `hello`; `2024` stays). */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };
const HAS_LETTER = /[^0-9]/;
const LEET_DIGITS = /[013457]/g;

export function unLeet(word: string): string {
  if (!HAS_LETTER.test(word)) return word;
  return word.replace(LEET_DIGITS, (digit) => LEET[digit]!);
}

/**
 * Scripts written without spaces between words: each of their characters is a word of its own,
 * so an entry of several of them is a phrase (see `word-index.ts`).
 */
const SOLO_CHAR = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]$/u;
export function isSoloChar(text: string, index: number): boolean {
  return text.charCodeAt(index) >= 0x0e00 && SOLO_CHAR.test(codePointAround(text, index));
}

/** The whole character a UTF-16 unit belongs to (either half of a surrogate pair). */
function codePointAround(text: string, index: number): string {
  const code = text.charCodeAt(index);
  if (code >= 0xdc00 && code <= 0xdfff && index > 0) return text.slice(index - 1, index + 1);
  if (code >= 0xd800 && code <= 0xdbff) return text.slice(index, index + 2);
  return text[index]!;
}
