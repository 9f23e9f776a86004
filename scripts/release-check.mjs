#!/usr/bin/env node
// The release check: every public package as `npm pack` makes it in its own directory (what a
// release through changesets publishes), installed from those tarballs — never the workspace
// links — into fresh projects outside the monorepo, as a user's app would install them:
//
//   - the React, Vue and Angular examples, each copied alone with its @chat/* dependencies
//     pointing at the tarballs: installed, type-checked and built;
//   - a Node ESM script importing @chat/core and @chat/protocol, run;
//   - `npm install @chat/server` and `npx chat-server`, which must answer /healthz;
//   - `changeset version` in a copy of the repository, then `npm publish --dry-run` of every
//     public package there (what `changeset publish` runs).
//
// Run after a build: `npm run release-check` (CI runs it).
// The other dependencies come from the npm registry at the versions the monorepo has installed.

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const PUBLIC = [
  ['@chat/protocol', 'packages/protocol'],
  ['@chat/core', 'packages/core'],
  ['@chat/react', 'packages/react'],
  ['@chat/vue', 'packages/vue'],
  ['@chat/angular', 'packages/angular'],
  ['@chat/ui-react', 'packages/ui-react'],
  ['@chat/testkit', 'packages/testkit'],
  ['@chat/server', 'mock-server'],
];
/** Example files a user's app would not have: tests, end-to-end suites, build output. */
const LEAVE_OUT = new Set([
  'node_modules',
  'dist',
  'e2e',
  'test',
  'vitest.config.ts',
  'turbo.json',
  'README.md',
]);
/** Development dependencies of the examples that serve the monorepo's own tests. */
const MONOREPO_ONLY = new Set(['@chat/browser-e2e', '@chat/server', 'kysely']);
/** How each example is type-checked: its app's sources (the monorepo also checks its tests). */
const TYPECHECK = {
  'react-chat': 'tsc --noEmit',
  'vue-chat': 'vue-tsc --noEmit',
  'angular-chat': 'ngc -p tsconfig.app.json --noEmit',
};

/**
 * What the commands run with: this Node (24, from the monorepo's `node` devDependency when run
 * through `npm run release-check`) first, and none of the monorepo's own tool directories, so a
 * fresh project finds only what it installed.
 */
const PATH = [
  dirname(process.execPath),
  ...(process.env.PATH ?? '').split(delimiter).filter((p) => p && !p.startsWith(ROOT)),
].join(delimiter);

const work = mkdtempSync(join(tmpdir(), 'chat-release-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const failures = [];
const started = Date.now();

function log(line) {
  console.log(`[release-check +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}`);
}

/** Runs a command; throws with its output's tail when it fails. */
function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, PATH, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status}\n${output}`);
  }
  return result.stdout;
}

/** One named step: a failure is reported and the other steps still run. */
async function step(name, work) {
  log(name);
  try {
    await work();
    log(`${name}: ok`);
  } catch (error) {
    failures.push(name);
    console.error(`[release-check] ${name}: FAILED\n${error.message}`);
  }
}

/** The version the monorepo has installed of `name`, looked up from `from` (a workspace). */
function installedVersion(name, from = ROOT) {
  // Found as Node would, walking up the node_modules folders (a package's `exports` may hide
  // its package.json from require.resolve).
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (dirname(dir) === dir)
      throw new Error(`${name} is not installed in the monorepo (looked from ${from})`);
  }
}

const tarballOf = new Map();

function pack() {
  for (const [name, dir] of PUBLIC) {
    const out = run('npm', ['pack', '--json', '--pack-destination', tarballs], join(ROOT, dir));
    const [{ filename, files }] = JSON.parse(out);
    const paths = new Set(files.map((f) => f.path));
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    // Every file the manifest points at must be in the tarball.
    const pointed = [
      manifest.main,
      manifest.module,
      manifest.types,
      manifest.typings,
      ...Object.values(manifest.bin ?? {}),
    ];
    const walk = (value) => {
      if (typeof value === 'string') pointed.push(value);
      else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
    };
    walk(manifest.exports);
    const missing = [...new Set(pointed)]
      .filter((p) => typeof p === 'string')
      .map((p) => p.replace(/^\.\//, ''))
      .filter((p) => !paths.has(p));
    if (missing.length > 0) throw new Error(`${name}: its tarball lacks ${missing.join(', ')}`);
    tarballOf.set(name, join(tarballs, filename));
    log(`  ${name}: ${filename}, ${files.length} files`);
  }
}

/** A fresh project: package.json with @chat/* from the tarballs, then `npm install`. */
function freshProject(name, manifest) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const fromTarballs = (deps = {}) =>
    Object.fromEntries(
      Object.entries(deps).map(([dep, range]) => [
        dep,
        tarballOf.has(dep) ? `file:${tarballOf.get(dep)}` : range,
      ]),
    );
  // Every @chat/* package a tarball depends on comes from its tarball too (they are not on a
  // registry): listed as overrides, so npm never looks them up.
  const overrides = Object.fromEntries([...tarballOf].map(([dep, file]) => [dep, `file:${file}`]));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        ...manifest,
        dependencies: fromTarballs(manifest.dependencies),
        devDependencies: fromTarballs(manifest.devDependencies),
        overrides,
      },
      null,
      2,
    )}\n`,
  );
  return dir;
}

function install(dir) {
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  try {
    run('npm', args, dir);
  } catch (error) {
    // The registry is the one thing outside this machine: one more try before failing.
    log(`  npm install failed once in ${dir}; trying again (${error.message.split('\n')[0]})`);
    run('npm', args, dir);
  }
  // Nothing of the monorepo: each @chat/* package is a copy from its tarball.
  for (const name of tarballOf.keys()) {
    const installed = join(dir, 'node_modules', name);
    if (existsSync(installed) && !existsSync(join(installed, 'package.json')))
      throw new Error(`${name} is not installed from its tarball in ${dir}`);
  }
}

/** Copies an example into a fresh project of its own, with the tarballs for @chat/*. */
function exampleProject(example) {
  const source = join(ROOT, 'examples', example);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  const devDependencies = Object.fromEntries(
    Object.entries(manifest.devDependencies ?? {}).filter(([dep]) => !MONOREPO_ONLY.has(dep)),
  );
  // What the monorepo's root gives every workspace: the compiler and Node's types.
  devDependencies.typescript = installedVersion('typescript');
  devDependencies['@types/node'] = installedVersion('@types/node');
  // Pinned to what the monorepo installed: a framework publishing a release in parts (Angular's
  // core a minor ahead of its compiler in npm's cached metadata) must not fail the check of our
  // tarballs. @chat/* keep their ranges: they come from the tarballs.
  const pinned = (deps = {}) =>
    Object.fromEntries(
      Object.entries(deps).map(([dep, range]) => [
        dep,
        dep.startsWith('@chat/') ? range : installedVersion(dep, source),
      ]),
    );
  const dir = freshProject(example, {
    name: `release-check-${example}`,
    private: true,
    type: 'module',
    scripts: { typecheck: TYPECHECK[example], build: manifest.scripts.build },
    dependencies: pinned(manifest.dependencies),
    devDependencies: pinned(devDependencies),
  });
  for (const entry of readdirSync(source)) {
    if (LEAVE_OUT.has(entry) || entry === 'package.json') continue;
    cpSync(join(source, entry), join(dir, entry), { recursive: true });
  }
  cpSync(join(ROOT, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
  for (const file of readdirSync(dir).filter(
    (f) => /^tsconfig.*\.json$/.test(f) && f !== 'tsconfig.base.json',
  )) {
    const path = join(dir, file);
    const config = JSON.parse(readFileSync(path, 'utf8'));
    if (config.extends === '../../tsconfig.base.json') config.extends = './tsconfig.base.json';
    // The example's tests and end-to-end suites stay in the monorepo.
    if (config.include)
      config.include = config.include.filter((p) => !/^(e2e|test)\b|vitest\.config/.test(p));
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  }
  if (existsSync(join(dir, 'angular.json'))) {
    const path = join(dir, 'angular.json');
    const config = JSON.parse(readFileSync(path, 'utf8'));
    delete config.$schema;
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  }
  install(dir);
  run('npm', ['run', 'typecheck'], dir, { NG_CLI_ANALYTICS: 'false' });
  run('npm', ['run', 'build'], dir, { NG_CLI_ANALYTICS: 'false' });
  return dir;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function serverStarts() {
  const dir = freshProject('server', {
    name: 'release-check-server',
    private: true,
    type: 'module',
    dependencies: { '@chat/server': '*' },
  });
  install(dir);
  const port = await freePort();
  const child = spawn('npx', ['chat-server'], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      CHAT_DATA_DIR: join(dir, 'data'),
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`chat-server exited ${child.exitCode}\n${output.slice(-3000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline)
        throw new Error(`chat-server did not answer /healthz in 120 s\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const openApi = await (await fetch(`http://127.0.0.1:${port}/v1/openapi.json`)).json();
    if (!openApi.paths?.['/v1/channels'])
      throw new Error('chat-server answered without its OpenAPI document');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

function nodeEsm() {
  const dir = freshProject('node-esm', {
    name: 'release-check-node-esm',
    private: true,
    type: 'module',
    dependencies: { '@chat/core': '*', '@chat/protocol': '*' },
    devDependencies: {
      typescript: installedVersion('typescript'),
      '@types/node': installedVersion('@types/node'),
    },
  });
  install(dir);
  writeFileSync(
    join(dir, 'main.ts'),
    `import { ChatClient } from '@chat/core';
import { LIMITS, parseClientFrame } from '@chat/protocol';

const client: ChatClient = new ChatClient({ apiKey: 'key', baseUrl: 'http://127.0.0.1:1' });
const parsed = parseClientFrame('{"type":"nope"}');
if (parsed.ok) throw new Error('a bad frame was accepted');
if (typeof client.connect !== 'function' || LIMITS.MESSAGE_TEXT_LENGTH < 1) throw new Error('exports are missing');
console.log('ok');
`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    `${JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'] }, files: ['main.ts'] }, null, 2)}\n`,
  );
  run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
  // The same code as plain JavaScript, run by Node.
  writeFileSync(
    join(dir, 'main.mjs'),
    readFileSync(join(dir, 'main.ts'), 'utf8').replace(': ChatClient', ''),
  );
  const out = run('node', ['main.mjs'], dir);
  if (out.trim() !== 'ok') throw new Error(`main.mjs printed ${out}`);
}

function changesetRelease() {
  const copy = join(work, 'repo');
  run('git', ['worktree', 'add', '--detach', copy, 'HEAD'], ROOT);
  try {
    const changeset = join(ROOT, 'node_modules', '.bin', 'changeset');
    run(changeset, ['version'], copy);
    for (const [name, dir] of PUBLIC) {
      const version = JSON.parse(readFileSync(join(copy, dir, 'package.json'), 'utf8')).version;
      // The built files are the monorepo's (a worktree has none); the manifest is the new one.
      for (const built of ['dist']) {
        if (existsSync(join(ROOT, dir, built)))
          cpSync(join(ROOT, dir, built), join(copy, dir, built), { recursive: true });
      }
      run('npm', ['publish', '--dry-run', '--ignore-scripts', '--loglevel=error'], join(copy, dir));
      log(`  ${name}@${version}: npm publish --dry-run ok`);
    }
  } finally {
    run('git', ['worktree', 'remove', '--force', copy], ROOT);
  }
}

await step('pack every public package', pack);
if (failures.length === 0) {
  await step('Node ESM script on @chat/core and @chat/protocol', nodeEsm);
  await step('npm install @chat/server && npx chat-server', serverStarts);
  for (const example of ['react-chat', 'vue-chat', 'angular-chat'])
    await step(`the ${example} example as a fresh project`, () => exampleProject(example));
  await step('changeset version, then npm publish --dry-run of each package', changesetRelease);
}
rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`[release-check] failed: ${failures.join('; ')}`);
  process.exit(1);
}
log('every package installs from its tarball, type-checks, builds and starts');
