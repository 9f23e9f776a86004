// Lighthouse (the npm package, desktop preset) on the app `npm start` serves: the reference
// server's CLI with the built React example as its web root, in Debian's Chromium. Two pages:
// the login page (a first visit: Lighthouse resets the origin's storage and cache) and the chat
// screen of a logged-in user (a session kept by "Keep me signed in": Lighthouse keeps the
// storage, `disableStorageReset`, and the app resumes the session from its cookie). Each page is
// audited BENCH_LIGHTHOUSE_RUNS times; the tables show the median score of each category and
// what cost points. Goals: accessibility and best practices ≥ 95, performance ≥ 90. See README.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';
import { browserE2e } from '../browser/harness.mjs';
import { hostBusy, hostCpu } from '../lib/proc.mjs';
import { writeReport } from '../lib/report.mjs';
import { deadline, envNumber, log, QUICK } from '../lib/scenario.mjs';
import { fmt } from '../lib/stats.mjs';

deadline('lighthouse', envNumber('BENCH_LIGHTHOUSE_LIMIT_S', QUICK ? 300 : 900));
const RUNS = envNumber('BENCH_LIGHTHOUSE_RUNS', QUICK ? 1 : 3);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_ROOT = join(ROOT, 'examples/react-chat/dist');
const CLI = join(ROOT, 'mock-server/dist/cli.js');
const CATEGORIES = [
  ['performance', 'Performance'],
  ['accessibility', 'Accessibility'],
  ['best-practices', 'Best practices'],
  ['seo', 'SEO'],
];
/** The issue's goals on desktop; SEO has none (a chat behind a login is not for search engines). */
const GOALS = { performance: 90, accessibility: 95, 'best-practices': 95 };
const METRICS = [
  ['first-contentful-paint', 'FCP'],
  ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'],
  ['cumulative-layout-shift', 'CLS'],
  ['speed-index', 'Speed Index'],
];

const e2e = await browserE2e();
if (!e2e.browserAvailable()) {
  log(`lighthouse: skipped, no Chromium at ${e2e.CHROMIUM_PATH} (apt-get install -y chromium)`);
  process.exit(0);
}
const missing = [CLI, join(WEB_ROOT, 'index.html')].filter((file) => !existsSync(file));
if (missing.length) {
  log(
    `lighthouse: skipped, not built: ${missing.join(', ')} (npx turbo run build --filter=@chat/server --filter=@chat/example-react-chat)`,
  );
  process.exit(0);
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-lighthouse-data-'));
let server;
let browser;
// Also when the time limit stops the scenario.
process.on('exit', () => {
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The server as `npm start` runs it (`scripts/start.mjs`: the CLI's `start --web-root`), on a free
 * port of 127.0.0.1, with its embedded PostgreSQL in a fresh folder (the demo users seeded).
 */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'start', '--web-root', WEB_ROOT], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CHAT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) resolve({ child, url, startup: /started in (\d+) ms/.exec(output)?.[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`the server exited (${code}) before it listened:\n${output}`)),
    );
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  server.kill('SIGKILL');
}

/** The desktop preset, with the four categories the goals are about. */
const CONFIG = {
  ...desktopConfig,
  settings: { ...desktopConfig.settings, onlyCategories: CATEGORIES.map(([id]) => id) },
};
let retries = 0;

/**
 * One Lighthouse navigation of `url` in `page`. A run Lighthouse itself gives up on (a runtime
 * error such as NO_NAVSTART: no scores then, it says to run it again) is run again, twice at most,
 * and counted in the notes.
 */
async function audit(page, url, flags = {}) {
  for (let attempt = 1; ; attempt++) {
    const result = await lighthouse(url, { output: 'json', logLevel: 'error', ...flags }, CONFIG, page);
    const lhr = result?.lhr;
    if (!lhr) throw new Error(`lighthouse returned nothing for ${url}`);
    if (!lhr.runtimeError) return lhr;
    const why = `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
    if (attempt === 3) throw new Error(`lighthouse: ${why}`);
    retries++;
    log(`lighthouse: run again after ${why}`);
  }
}

const runs = { login: [], chat: [] };
let version = '';
let started;
let busy;
try {
  const up = await startServer();
  server = up.child;
  log(`lighthouse: server on ${up.url} (started in ${up.startup} ms)`);
  started = up;
  browser = await puppeteer.launch({
    executablePath: e2e.CHROMIUM_PATH,
    // puppeteer adds its own --headless.
    args: e2e.CHROMIUM_FLAGS.filter((flag) => flag !== '--headless'),
    headless: true,
    defaultViewport: null,
  });
  version = await browser.version();
  const page = await browser.newPage();
  const h0 = hostCpu();

  for (let run = 0; run < RUNS; run++) {
    log(`lighthouse: login page, run ${run + 1}/${RUNS}`);
    runs.login.push(await audit(page, `${up.url}/`));
  }

  // Log in once, as a person would, with "Keep me signed in" (on by default).
  await page.goto(`${up.url}/`);
  await page.locator('input[autocomplete="username"]').fill('alice');
  await page.locator('input[type="password"]').fill('chat-demo');
  if (!(await page.$eval('.app-login__remember input', (box) => box.checked)))
    throw new Error('"Keep me signed in" is not checked by default');
  await page.locator('button[type="submit"]').click();
  await page.waitForSelector('[data-testid="chat-channel-list-item"]', { timeout: 30_000 });

  for (let run = 0; run < RUNS; run++) {
    log(`lighthouse: chat screen (logged in), run ${run + 1}/${RUNS}`);
    const lhr = await audit(page, `${up.url}/`, { disableStorageReset: true });
    // What was audited must be the chat, not the login page the app falls back to.
    await page.waitForSelector('[data-testid="chat-channel-list-item"]', { timeout: 15_000 }).catch(() => {
      throw new Error('after the audit the page shows no chat: the session did not survive the navigation');
    });
    runs.chat.push(lhr);
  }
  busy = hostBusy(h0, hostCpu());
} finally {
  await browser?.close().catch(() => {});
  await stopServer();
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const score = (lhr, id) => Math.round((lhr.categories[id]?.score ?? Number.NaN) * 100);
const scores = (list, id) => list.map((lhr) => score(lhr, id));
const medianScore = (list, id) => median(scores(list, id));
const range = (values) => (values.length > 1 ? ` (${Math.min(...values)}–${Math.max(...values)})` : '');
const met = (list, id) => !(id in GOALS) || medianScore(list, id) >= GOALS[id];

const PAGES = [
  ['login', 'Login page (first visit)'],
  ['chat', 'Chat screen, logged in (session kept)'],
];

const scoreRows = PAGES.map(([key, label]) => [
  label,
  ...CATEGORIES.map(([id]) => {
    const value = medianScore(runs[key], id);
    const text = `${fmt(value)}${range(scores(runs[key], id))}`;
    return met(runs[key], id) ? text : `**${text}**`;
  }),
]);

const metricRows = PAGES.map(([key, label]) => [
  label,
  ...METRICS.map(([id]) => {
    const values = runs[key].map((lhr) => lhr.audits[id]?.numericValue);
    const value = median(values);
    return id === 'cumulative-layout-shift' ? fmt(value, 3) : `${fmt(value)} ms`;
  }),
]);

/** Every audit that cost points in a category (score < 1 in the median run of that category). */
function lostPoints(key) {
  const rows = [];
  for (const [id, name] of CATEGORIES) {
    const list = runs[key];
    const target = medianScore(list, id);
    const lhr = list.find((l) => score(l, id) === target) ?? list[0];
    if (!lhr) continue;
    for (const ref of lhr.categories[id]?.auditRefs ?? []) {
      const a = lhr.audits[ref.id];
      if (!a || a.score === null || a.score >= 1) continue;
      if (['notApplicable', 'manual', 'informative'].includes(a.scoreDisplayMode)) continue;
      if (
        id === 'performance' &&
        ref.weight === 0 &&
        a.scoreDisplayMode === 'metricSavings' &&
        a.score >= 0.9
      )
        continue;
      rows.push([
        name,
        `\`${a.id}\``,
        a.title.replace(/\|/g, '\\|'),
        fmt(a.score * 100),
        ref.weight ? fmt(ref.weight) : '0',
        (a.displayValue ?? detailOf(a)).replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 160) || '–',
      ]);
    }
  }
  return rows;
}

/** A short line from an audit's details: the first items' URLs, selectors or descriptions. */
function detailOf(a) {
  const items = a.details?.items ?? [];
  return items
    .slice(0, 3)
    .map((item) => item.node?.selector ?? item.url ?? item.source?.url ?? '')
    .filter(Boolean)
    .join('; ');
}

const lost = PAGES.flatMap(([key, label]) => lostPoints(key).map((row) => [label, ...row]));

writeReport({
  scenario: 'lighthouse',
  title: 'Lighthouse, desktop preset: the login page and the chat screen of `npm start`',
  notes: [
    `Lighthouse ${runs.login[0]?.lighthouseVersion ?? '?'} (npm), desktop preset (\`lighthouse/core/config/desktop-config.js\`: 1350×940, simulated throttling at 40 ms RTT and 10 Mbit/s, no CPU slowdown), driven through puppeteer-core in ${version} (${e2e.CHROMIUM_PATH}, headless, tools/browser-e2e's flags).`,
    `The server as \`npm start\` runs it: \`mock-server/dist/cli.js start --web-root examples/react-chat/dist\` (the built React example; embedded PostgreSQL in a fresh folder, demo users seeded; started in ${started?.startup ?? '?'} ms) on 127.0.0.1.`,
    `Login page: a first visit (Lighthouse clears the origin's storage, service worker and cache). Chat screen: alice logged in once with "Keep me signed in" in the same browser, then each audit keeps the storage (\`disableStorageReset\`): the page load resumes the session from its httpOnly cookie, with the app's service worker and cache warm, as for someone coming back. After each audit the page is checked to show the chat.`,
    `${RUNS} audit(s) per page${retries ? ` (${retries} run(s) again after Lighthouse's own error, e.g. NO_NAVSTART)` : ''}; the median score, with the range of the runs in brackets. Goals: performance ≥ 90, accessibility ≥ 95, best practices ≥ 95 (a score under its goal is in bold); SEO has no goal.`,
    `The machine's ${cpus().length} cores were ${fmt((busy ?? Number.NaN) * 100)}% busy during the audits (Chromium, the server and anything else running): simulated throttling makes the performance score depend less on the machine, not independent of it.`,
  ],
  tables: [
    {
      title: 'Scores (median of the runs; range in brackets)',
      columns: ['Page', ...CATEGORIES.map(([, name]) => name)],
      rows: [...scoreRows, ['Goal', '≥ 90', '≥ 95', '≥ 95', '–']],
    },
    {
      title: 'Performance metrics (median, simulated desktop throttling)',
      columns: ['Page', ...METRICS.map(([, name]) => name)],
      rows: metricRows,
    },
    {
      title: 'What cost points (the audits under a full score, in the median run of each category)',
      columns: ['Page', 'Category', 'Audit', 'Title', 'Score', 'Weight', 'Detail'],
      rows: lost.length ? lost : [['–', '–', 'none', '', '', '', '']],
    },
  ],
  summary: PAGES.map(([key, label]) => ({
    figure: `Lighthouse desktop, ${label.toLowerCase()}: performance / accessibility / best practices / SEO`,
    ours: CATEGORIES.map(([id]) => fmt(medianScore(runs[key], id))).join(' / '),
    target: '≥ 90 / ≥ 95 / ≥ 95 / –',
    met: CATEGORIES.every(([id]) => met(runs[key], id)),
  })),
});
