import { RE2JS } from 're2js';
import type { BlocklistKind, BlocklistMode } from '../store/schema';
import { fold, foldWithOffsets } from './fold-text';
import { addressesIn, foldDomain, hostsIn } from './hosts';
import {
  JOIN_MAX,
  runsAgree,
  shapeOf,
  shapeOfToken,
  spreadRuns,
  type Token,
  tokenize,
  type WordShape,
} from './word-index';

/** A list as the matcher takes it: active, its entries already checked (blocklist-entries.ts). */
export interface BlocklistSpec {
  id: string;
  name: string;
  kind: BlocklistKind;
  mode: BlocklistMode;
  reason: string | null;
  entries: readonly string[];
}

/** A list that matched, and the first of its entries found. */
export interface BlocklistHit {
  listId: string;
  name: string;
  mode: BlocklistMode;
  reason: string | null;
  entry: string;
}

/** What the lists say about a text. */
export interface MatchResult {
  /** The first `block` list that matched: the message is refused. */
  block: BlocklistHit | null;
  /** The `flag` lists that matched: the message goes to the review queue. */
  flags: BlocklistHit[];
  /** The text with what `mask` lists matched replaced by `MASK` (the text itself when none did). */
  text: string;
  masked: boolean;
}

export const MASK = '***';
/** Matches of one regex a mask replaces, at most (a pattern matching everywhere stops there). */
const REGEX_MATCHES_MAX = 200;

interface Ref {
  list: number;
  entry: string;
}
interface WordRef extends Ref {
  runs: number[] | null;
}
interface PhraseRef extends Ref {
  words: WordShape[];
}
interface RegexRef extends Ref {
  re: RE2JS;
}

/** Compiles a regex entry as every regex of a list runs: case-insensitive, on folded text. */
export function compileRegex(pattern: string): RE2JS {
  return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
}

/**
 * An application's active blocklists, compiled once (per node, per change) into lookups: words
 * in a map by their shape, phrases by their first word, domains and emails in maps, regexes as
 * RE2 programs (linear time: no pattern can make a send wait on backtracking), with all of them
 * tried at once first, so a clean text costs one pass.
 */
export class CompiledBlocklists {
  private readonly words = new Map<string, WordRef[]>();
  private readonly phrases = new Map<string, PhraseRef[]>();
  private readonly domains = new Map<string, Ref[]>();
  private readonly emails = new Map<string, Ref[]>();
  private readonly regexes: RegexRef[] = [];
  private readonly anyRegex: Pick<RE2JS, 'test'> | null;
  private longestWord = 0;

  constructor(private readonly lists: readonly BlocklistSpec[]) {
    lists.forEach((list, index) => {
      for (const entry of list.entries) this.add(list.kind, index, entry);
    });
    this.anyRegex = this.regexes.length > 0 ? combined(this.regexes) : null;
  }

  get size(): number {
    return this.lists.length;
  }

  private add(kind: BlocklistKind, list: number, entry: string): void {
    if (kind === 'regex') {
      this.regexes.push({ list, entry, re: compileRegex(entry) });
    } else if (kind === 'domain') {
      push(this.domains, foldDomain(entry), { list, entry });
    } else if (kind === 'email') {
      push(this.emails, fold(entry.trim()), { list, entry });
    } else {
      const words = tokenize(fold(entry)).map((token) => shapeOf(token.text));
      if (words.length === 1) {
        push(this.words, words[0]!.key, { list, entry, runs: words[0]!.runs });
        this.longestWord = Math.max(this.longestWord, words[0]!.key.length);
      } else if (words.length > 1) {
        push(this.phrases, words[0]!.key, { list, entry, words });
      }
    }
  }

  /** What the lists say about `original`. */
  evaluate(original: string): MatchResult {
    const run = new Evaluation(this.lists, original);
    const { text } = run.folded;
    if (this.words.size > 0 || this.phrases.size > 0) {
      const tokens = tokenize(text);
      const shapes = tokens.map(shapeOfToken);
      this.findWords(run, tokens, shapes);
      if (!run.blocked) this.findPhrases(run, tokens, shapes);
      if (!run.blocked && this.words.size > 0) this.findSpreadWords(run, tokens);
    }
    if (!run.blocked && (this.domains.size > 0 || this.emails.size > 0)) {
      for (const host of hostsIn(text)) this.lookUp(run, this.domains, host.key, host.start, host.end);
      for (const address of addressesIn(text))
        this.lookUp(run, this.emails, address.key, address.start, address.end);
    }
    if (!run.blocked && this.anyRegex?.test(text)) this.findRegexes(run);
    return run.result();
  }

  private findWords(run: Evaluation, tokens: Token[], shapes: WordShape[]): void {
    for (let i = 0; i < tokens.length && !run.blocked; i++) {
      const refs = this.words.get(shapes[i]!.key);
      if (!refs) continue;
      for (const ref of refs) {
        if (runsAgree(shapes[i]!.runs, ref.runs)) run.hit(ref, tokens[i]!.start, tokens[i]!.end);
      }
    }
  }

  private findPhrases(run: Evaluation, tokens: Token[], shapes: WordShape[]): void {
    for (let i = 0; i < tokens.length && !run.blocked; i++) {
      const refs = this.phrases.get(shapes[i]!.key);
      if (!refs) continue;
      for (const ref of refs) {
        const last = i + ref.words.length - 1;
        if (last >= tokens.length) continue;
        const all = ref.words.every((word, k) => {
          const shape = shapes[i + k]!;
          return shape.key === word.key && runsAgree(shape.runs, word.runs);
        });
        if (all) run.hit(ref, tokens[i]!.start, tokens[last]!.end);
      }
    }
  }

  /** Words spread out over one-letter pieces (`b.a.d`, `b a d`): every stretch of a run, joined. */
  private findSpreadWords(run: Evaluation, tokens: Token[]): void {
    const longest = Math.min(this.longestWord * 2 + 2, JOIN_MAX);
    for (const [first, last] of spreadRuns(tokens)) {
      for (let from = first; from < last && !run.blocked; from++) {
        let joined = tokens[from]!.text;
        for (let to = from + 1; to <= last && to - from < longest; to++) {
          joined += tokens[to]!.text;
          const shape = shapeOf(joined);
          for (const ref of this.words.get(shape.key) ?? []) {
            if (runsAgree(shape.runs, ref.runs)) run.hit(ref, tokens[from]!.start, tokens[to]!.end);
          }
        }
      }
    }
  }

  private lookUp(run: Evaluation, map: Map<string, Ref[]>, key: string, start: number, end: number): void {
    for (const ref of map.get(key) ?? []) run.hit(ref, start, end);
  }

  /** Rare (the combined pattern matched): which regexes, and for mask lists where. */
  private findRegexes(run: Evaluation): void {
    const { text } = run.folded;
    for (const ref of this.regexes) {
      if (run.blocked) return;
      if (this.lists[ref.list]!.mode !== 'mask') {
        if (!run.hasHit(ref.list) && ref.re.test(text)) run.hit(ref, 0, 0);
        continue;
      }
      const matcher = ref.re.matcher(text);
      for (let n = 0; n < REGEX_MATCHES_MAX && matcher.find(); n++) {
        if (matcher.end() > matcher.start()) run.hit(ref, matcher.start(), matcher.end());
      }
    }
  }
}

/** One text's evaluation: the hits so far, and the spans to mask in the original. */
class Evaluation {
  readonly folded;
  blocked: BlocklistHit | null = null;
  private readonly hits = new Map<number, BlocklistHit>();
  private readonly spans: Array<[number, number]> = [];

  constructor(
    private readonly lists: readonly BlocklistSpec[],
    private readonly original: string,
  ) {
    this.folded = foldWithOffsets(original);
  }

  hasHit(list: number): boolean {
    return this.hits.has(list);
  }

  /** `start`/`end` are offsets in the folded text (masking maps them back to the original). */
  hit(ref: Ref, start: number, end: number): void {
    const list = this.lists[ref.list]!;
    if (!this.hits.has(ref.list)) {
      const hit = {
        listId: list.id,
        name: list.name,
        mode: list.mode,
        reason: list.reason,
        entry: ref.entry,
      };
      this.hits.set(ref.list, hit);
      if (list.mode === 'block') this.blocked = hit;
    }
    if (list.mode === 'mask' && end > start) {
      const { start: starts, end: ends } = this.folded;
      this.spans.push(starts && ends ? [starts[start]!, ends[end - 1]!] : [start, end]);
    }
  }

  result(): MatchResult {
    const flags = [...this.hits.values()].filter((hit) => hit.mode === 'flag');
    if (this.blocked || this.spans.length === 0) {
      return { block: this.blocked, flags, text: this.original, masked: false };
    }
    return { block: null, flags, text: maskSpans(this.original, this.spans), masked: true };
  }
}

/** Replaces each span (merged where they overlap or touch) by `MASK`. */
export function maskSpans(text: string, spans: Array<[number, number]>): string {
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let i = 0;
  while (i < spans.length) {
    let [start, end] = spans[i]!;
    while (i + 1 < spans.length && spans[i + 1]![0] <= end) end = Math.max(end, spans[++i]![1]);
    out += text.slice(at, start) + MASK;
    at = end;
    i++;
  }
  return out + text.slice(at);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * All regexes as one RE2 program, so a text that matches none (nearly all) is read once. Should
 * RE2 refuse the union (too large a program), each is tried alone: slower, still linear.
 */
function combined(regexes: RegexRef[]): Pick<RE2JS, 'test'> {
  try {
    return compileRegex(regexes.map((ref) => `(?:${ref.entry})`).join('|'));
  } catch {
    return { test: () => true };
  }
}
