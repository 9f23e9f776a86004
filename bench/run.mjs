// `npm run bench [-- scenario …]`: builds what the scenarios load (unless BENCH_SKIP_BUILD=1),
// then runs each scenario as its own process, one after another, teeing their output into
// RESULTS.raw.log beside RESULTS.md. BENCH_ONLY=fanout,rest does the same as arguments.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './lib/machine.mjs';

export const SCENARIOS = [
  'fanout',
  'multinode',
  'connections',
  'dms',
  'rest',
  'webhooks',
  'push',
  'media',
  'client-state',
  // Blocklists (issue 17): the server's matcher per message.
  'blocklist',
  'browser-client',
  'ui',
  'bundle-size',
  'lighthouse',
];
const BENCH = fileURLToPath(new URL('./', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';

const asked = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ?? '').split(',')]
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = asked.filter((s) => !SCENARIOS.includes(s));
if (unknown.length) {
  console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const chosen = asked.length ? SCENARIOS.filter((s) => asked.includes(s)) : SCENARIOS;

if (process.env.BENCH_SKIP_BUILD !== '1') {
  // The scenarios load the built packages, as users would. Turbo skips what is up to date.
  // The lighthouse scenario audits the React example as `npm start` serves it.
  const packages = ['@chat/server', '@chat/core', '@chat/react', '@chat/ui-react'];
  if (chosen.includes('lighthouse')) packages.push('@chat/example-react-chat');
  const filters = packages.flatMap((f) => ['--filter', f]);
  console.error(
    `Building ${filters.filter((f) => f !== '--filter').join(', ')} (BENCH_SKIP_BUILD=1 skips this)…`,
  );
  const build = spawnSync('npx', ['turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const rawDir = process.env.BENCH_RESULTS_DIR ?? (QUICK ? `${BENCH}results/quick/` : BENCH);
mkdirSync(rawDir, { recursive: true });
const RAW = `${rawDir}RESULTS.raw.log`;
const raw = (text) => appendFileSync(RAW, text);
raw(
  `\n=== npm run bench ${chosen.join(' ')}${QUICK ? ' (BENCH_QUICK)' : ''} — ${new Date().toISOString()}\n`,
);
raw(`=== ${describeMachine(undefined, 'at start')}\n`);

const started = Date.now();
const failed = [];
for (const name of chosen) {
  const script = `${BENCH}scenarios/${name}.mjs`;
  if (!existsSync(script)) continue;
  const t0 = Date.now();
  console.error(`\n▶ ${name}`);
  raw(`\n--- ${name} (${new Date().toISOString()})\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', script], {
      cwd: BENCH,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      raw(chunk);
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      raw(chunk);
    });
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  raw(`--- ${name} exited ${code} after ${seconds} s\n`);
  console.error(`◀ ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds} s`);
  if (code !== 0) failed.push(name);
}
const total = ((Date.now() - started) / 1000).toFixed(0);
console.error(
  `\nbench: ${chosen.length - failed.length}/${chosen.length} scenarios in ${total} s → ${rawDir}RESULTS.md`,
);
raw(`=== done in ${total} s; failed: ${failed.join(', ') || 'none'}\n`);
if (failed.length) process.exit(1);
