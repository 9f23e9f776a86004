// `npm start` (React app), `npm run start:vue`, `npm run start:angular`: builds the server and the
// example app with turbo, one line per package so a first build (a minute or two) is not silent,
// then runs the server serving that app from its own origin. CHAT_WEB_ROOT, when set, is served
// instead of the example (and the example is not built).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = {
  react: { pkg: '@chat/example-react-chat', dist: 'examples/react-chat/dist' },
  vue: { pkg: '@chat/example-vue-chat', dist: 'examples/vue-chat/dist' },
  angular: { pkg: '@chat/example-angular-chat', dist: 'examples/angular-chat/dist/browser' },
};

const name = process.argv[2] ?? 'react';
const app = APPS[name];
if (!app) {
  console.error(`start: no app "${name}" (one of: ${Object.keys(APPS).join(', ')})`);
  process.exit(2);
}
const webRoot = process.env.CHAT_WEB_ROOT ? resolve(process.env.CHAT_WEB_ROOT) : join(ROOT, app.dist);
if (process.env.CHAT_WEB_ROOT && !existsSync(join(webRoot, 'index.html'))) {
  console.error(`start: CHAT_WEB_ROOT=${process.env.CHAT_WEB_ROOT} has no index.html (build the app first)`);
  process.exit(2);
}

const what = process.env.CHAT_WEB_ROOT ? 'the server' : `the server and the ${name} app`;
console.log(`Building ${what}: the first time takes a minute or two, later starts reuse the build.`);
const started = Date.now();
const filters = [
  '--filter=@chat/server...',
  ...(process.env.CHAT_WEB_ROOT ? [] : [`--filter=${app.pkg}...`]),
];
// hash-only: a line per package as it is built (or taken from the cache), without its logs.
const build = spawnSync('npx', ['turbo', 'run', 'build', ...filters, '--output-logs=hash-only'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('start: the build failed (see above)');
  process.exit(build.status ?? 1);
}
console.log(`Built in ${Math.round((Date.now() - started) / 1000)} s. Starting the server…`);

const server = spawn(
  process.execPath,
  [join(ROOT, 'mock-server/dist/cli.js'), 'start', '--web-root', webRoot],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
// Ctrl+C reaches the server too (same process group); it drains and exits, and so does this.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    if (signal === 'SIGTERM') server.kill(signal);
  });
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
