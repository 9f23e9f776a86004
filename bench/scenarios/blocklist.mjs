// Scenario — blocklists: the server's matcher (mock-server/src/moderation/) with a
// 10,000-entry word list plus 50 regexes, evaluated per 1 KB message, as every send and edit
// does. The matcher is bundled from the server's source with esbuild (it is not a public export)
// and timed in this process. Peers in the same run: a naive matcher (one case-insensitive
// whole-word regex per word, the first thing people write) and `obscenity` (a maintained
// profanity filter with its own evasion handling) given the same 10,000 words.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { fmt } from '../lib/stats.mjs';

deadline('blocklist', envNumber('BENCH_BLOCKLIST_LIMIT_S', QUICK ? 60 : 300));
const WORDS = envNumber('BENCH_BLOCKLIST_WORDS', QUICK ? 1_000 : 10_000);
const REGEXES = envNumber('BENCH_BLOCKLIST_REGEXES', 50);
const MESSAGES = envNumber('BENCH_BLOCKLIST_MESSAGES', QUICK ? 200 : 2_000);
const ROUNDS = envNumber('BENCH_BLOCKLIST_ROUNDS', QUICK ? 3 : 7);
const TARGET_US = 50;

const SOURCE = fileURLToPath(
  new URL('../../mock-server/src/moderation/blocklist-matcher.ts', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'bench-blocklist-'));
const outfile = join(dir, 'matcher.mjs');
await build({
  entryPoints: [SOURCE],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile,
  logLevel: 'error',
});
const { CompiledBlocklists } = await import(pathToFileURL(outfile).href);
rmSync(dir, { recursive: true, force: true });

// Deterministic pseudo-random words (letters only, 4–10 long) and text.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const word = (min = 4, max = 10) => {
  const length = min + Math.floor(random() * (max - min + 1));
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(97 + Math.floor(random() * 26));
  return out;
};
const listed = Array.from({ length: WORDS }, () => `${word()}q`); // `q` suffix: never in the chat text below
const patterns = Array.from({ length: REGEXES }, (_, i) =>
  i % 2 === 0 ? `\\b${word(3, 5)}\\d{2,4}\\b` : `${word(3, 4)}\\s+${word(3, 4)}\\w*`,
);
const CHAT =
  'so I was thinking we could meet at the station around seven, then grab food and walk over to the ' +
  'concert hall; my sister says the opening band is loud but good, and tickets are still available online ';
/** A 1 KB message of ordinary chat, with one listed word in one message out of 20. */
function message(i) {
  let text = '';
  while (text.length < 1024) text += CHAT.slice(Math.floor(random() * 50));
  text = text.slice(0, 1024);
  if (i % 20 === 0)
    text = `${text.slice(0, 500)} ${listed[i % WORDS]} ${text.slice(502 + listed[i % WORDS].length)}`;
  return text.slice(0, 1024);
}
const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));

/** The peers are 30–50× slower: they get a tenth of the messages, so the run stays short. */
function time(name, evaluate, texts = messages) {
  for (const text of texts.slice(0, 200)) evaluate(text); // warm-up
  const perRound = [];
  let hits = 0;
  for (let round = 0; round < ROUNDS; round++) {
    hits = 0;
    const t0 = performance.now();
    for (const text of texts) if (evaluate(text)) hits++;
    perRound.push(((performance.now() - t0) * 1000) / texts.length);
  }
  perRound.sort((a, b) => a - b);
  const median = perRound[Math.floor(perRound.length / 2)];
  log(`${name}: ${median.toFixed(1)} µs per message (${hits} of ${texts.length} matched)`);
  return { name, median, best: perRound[0], hits, count: texts.length };
}

const t0 = performance.now();
const ours = new CompiledBlocklists([
  { id: 'w', name: 'words', kind: 'word', mode: 'flag', reason: null, entries: listed },
  { id: 'r', name: 'regexes', kind: 'regex', mode: 'flag', reason: null, entries: patterns },
]);
const compileMs = performance.now() - t0;
const results = [time('ours', (text) => ours.evaluate(text).flags.length > 0)];

// The naive peer: one regex per word (whole word, case-insensitive) and the same 50 regexes, in
// V8's backtracking engine (which is what makes it unsafe for user patterns in the first place).
const peerMessages = messages.slice(0, Math.max(20, Math.floor(MESSAGES / 10)));
const naiveWords = listed.map((w) => new RegExp(`\\b${w}\\b`, 'i'));
const naiveRegexes = patterns.map((p) => new RegExp(p, 'i'));
results.push(
  time(
    'naive',
    (text) => naiveWords.some((re) => re.test(text)) || naiveRegexes.some((re) => re.test(text)),
    peerMessages,
  ),
);

let obscenityNote = 'obscenity: not installed';
try {
  const { DataSet, RegExpMatcher, englishRecommendedTransformers, parseRawPattern } = await import(
    'obscenity'
  );
  const data = new DataSet();
  for (const w of listed) data.addPhrase((phrase) => phrase.addPattern(parseRawPattern(`|${w}|`)));
  const matcher = new RegExpMatcher({ ...data.build(), ...englishRecommendedTransformers });
  results.push(time('obscenity', (text) => matcher.hasMatch(text), peerMessages));
  obscenityNote =
    'obscenity (0.4): the same words as whole-word patterns, its recommended English transformers; no regexes (it takes none)';
} catch (error) {
  log(`obscenity skipped: ${error.message}`);
}

const [mine, naive, obscenity] = results;
const us = (value) => `${value.toFixed(1)} µs`;
const rows = results.map((r) => [
  r.name === 'ours' ? `ours (RE2 regexes, folded words in a map)` : r.name,
  us(r.median),
  us(r.best),
  `${fmt(Math.round(1e6 / r.median))}`,
  `${r.hits} / ${fmt(r.count)}`,
]);
const summary = [
  {
    figure: `Blocklist check per 1 KB message (${fmt(WORDS)} words + ${REGEXES} regexes; peer: one regex per word)`,
    ours: us(mine.median),
    peer: 'naive',
    peerValue: us(naive.median),
    ratio: `${(mine.median / naive.median).toFixed(3)}×`,
    target: `≤ ${TARGET_US} µs`,
    met: mine.median <= TARGET_US,
  },
];
if (obscenity) {
  summary.push({
    figure: `Blocklist check per 1 KB message (${fmt(WORDS)} words; peer: obscenity)`,
    ours: us(mine.median),
    peer: 'obscenity',
    peerValue: us(obscenity.median),
    ratio: `${(mine.median / obscenity.median).toFixed(2)}×`,
  });
}
writeReport({
  scenario: 'blocklist',
  title: 'Blocklists (server matcher, per message)',
  notes: [
    `The server's matcher (mock-server/src/moderation/blocklist-matcher.ts, bundled with esbuild), timed in one process: ${fmt(WORDS)} listed words plus ${REGEXES} regexes (RE2, re2js), compiled once (${compileMs.toFixed(0)} ms, what a node does after a list changes), then ${fmt(MESSAGES)} messages of 1,024 characters of ordinary chat evaluated ${ROUNDS} times; the median round is reported, per message. One message in 20 holds a listed word.`,
    'Ours folds the text (NFKD, marks dropped, case folded, look-alikes, invisible characters), splits it into words, looks each up in a map (with leetspeak, repeated letters and spread-out letters), and runs the regexes as one RE2 program; the naive peer tests one `\\bword\\b` regex per word, then the regexes, in V8 (backtracking, so it catches none of the evasions and an evil pattern could hang it).',
    obscenityNote,
  ],
  tables: [{ columns: ['Matcher', 'Median per message', 'Best round', 'Messages/s', 'Matched'], rows }],
  summary,
});
process.exit(0);
