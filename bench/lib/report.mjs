// Writes a scenario's results: appends its tables to RESULTS.md (with the machine and the date)
// and refreshes the summary table at the top of the file from the latest figures of every
// scenario (kept in results/summary.json). BENCH_QUICK runs write to results/quick/ instead, so
// smoke tests never mix with real figures.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machine } from './machine.mjs';

export const QUICK = process.env.BENCH_QUICK === '1';
const BENCH = fileURLToPath(new URL('../', import.meta.url));
const OUT = process.env.BENCH_RESULTS_DIR ?? (QUICK ? `${BENCH}results/quick/` : BENCH);
const RESULTS = `${OUT}RESULTS.md`;
const SUMMARY = `${OUT}${QUICK ? '' : 'results/'}summary.json`;
const START = '<!-- summary:start -->';
const END = '<!-- summary:end -->';

const HEADER = `# Benchmark results

Produced by \`npm run bench\` (see [README.md](./README.md) for what each scenario measures and how
to read it). Each run appends its tables below with the machine and the date; the summary is
rebuilt from the latest run of every scenario. Ratios are ours ÷ the peer's: below 1× is better
for costs (CPU, memory, latency, bytes), above 1× is better for rates.

${START}
${END}

## Runs
`;

export function table({ title, columns, rows, note }) {
  const head = `| ${columns.join(' | ')} |\n| ${columns.map((_, i) => (i === 0 ? '---' : '--:')).join(' | ')} |`;
  const body = rows.map((row) => `| ${row.map((cell) => String(cell ?? '–')).join(' | ')} |`).join('\n');
  return `${title ? `**${title}**\n\n` : ''}${head}\n${body}\n${note ? `\n${note}\n` : ''}`;
}

/**
 * `summary`: `[{ figure, ours, peer, peerValue, ratio, target, met }]` — shown at the top.
 * `tables`: `[{ title, columns, rows, note }]`. `notes`: lines shown under the heading.
 */
export function writeReport({ scenario, title, notes = [], tables = [], summary = [] }) {
  const m = machine();
  const section = [
    `### ${title}${QUICK ? ' (BENCH_QUICK: smoke-test sizes)' : ''}`,
    '',
    `${m.date.slice(0, 16).replace('T', ' ')} UTC — ${describeMachine(m)}`,
    '',
    ...notes.map((n) => `- ${n}`),
    notes.length ? '' : null,
    ...tables.map(table),
  ]
    .filter((line) => line !== null)
    .join('\n');
  process.stdout.write(`\n${section}\n`);

  mkdirSync(dirname(SUMMARY), { recursive: true });
  let doc = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : HEADER;
  if (!doc.includes(START)) doc = HEADER + doc;
  doc = `${doc.trimEnd()}\n\n${section}\n`;

  const all = existsSync(SUMMARY) ? JSON.parse(readFileSync(SUMMARY, 'utf8')) : {};
  all[scenario] = { title, date: m.date, machine: describeMachine(m), rows: summary };
  writeFileSync(SUMMARY, `${JSON.stringify(all, null, 2)}\n`);

  const before = doc.slice(0, doc.indexOf(START) + START.length);
  const after = doc.slice(doc.indexOf(END));
  writeFileSync(RESULTS, `${before}\n${renderSummary(all)}\n${after}`);
}

const ORDER = [
  'fanout',
  'multinode',
  'connections',
  'dms',
  'rest',
  'webhooks',
  'client-state',
  'bundle-size',
];

function renderSummary(all) {
  const rows = [];
  for (const scenario of [...ORDER, ...Object.keys(all).filter((s) => !ORDER.includes(s))]) {
    const entry = all[scenario];
    if (!entry) continue;
    for (const r of entry.rows) {
      rows.push([
        scenario,
        r.figure,
        r.ours,
        r.peer ?? '–',
        r.peerValue ?? '–',
        r.ratio ?? '–',
        r.target ?? '–',
        r.met === undefined ? '–' : r.met ? 'yes' : '**no**',
        entry.date.slice(0, 10),
      ]);
    }
  }
  return `## Summary\n\n${table({
    columns: ['Scenario', 'Figure', 'Ours', 'Peer', 'Peer figure', 'Ratio', 'Target', 'Met', 'Run'],
    rows,
  })}`;
}
