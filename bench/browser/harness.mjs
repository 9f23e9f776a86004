// What the browser scenarios share: page bundles built with esbuild from the built packages (as
// an app would import them), a static server on 127.0.0.1 plus a "server" that never answers,
// and Chromium with tools/browser-e2e's conventions (its path, flags and skip rule).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('./', import.meta.url));
/** Build output: ignored by git (`dist/`) and biome; rebuilt at every scenario start. */
export const DIST = join(HERE, 'dist');
const require = createRequire(join(HERE, '..', 'package.json'));

/** Stands in for `@chat/server` in the helper below: these scenarios start no server. */
const noServer = {
  name: 'no-server',
  setup(build) {
    build.onResolve({ filter: /^@chat\/server$/ }, () => ({ path: 'no-server', namespace: 'no-server' }));
    build.onLoad({ filter: /.*/, namespace: 'no-server' }, () => ({
      contents:
        "export function createChatServer() { throw new Error('no server in the browser scenarios'); }",
    }));
  },
};

/**
 * `@chat/browser-e2e` (TypeScript source, for vitest) bundled for Node, so the bench uses its
 * Chromium path, flags, `browserAvailable()` and `launchChromium()` as they are (not `startChat`:
 * `@chat/server` is left out, so a server build in progress cannot break these scenarios).
 */
export async function browserE2e() {
  const outfile = join(DIST, 'browser-e2e.mjs');
  await build({
    entryPoints: [require.resolve('@chat/browser-e2e')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    plugins: [noServer],
    outfile,
    logLevel: 'silent',
  });
  return import(pathToFileURL(outfile).href);
}

/** The built packages the pages import, and which of them are missing (not built yet). */
export function missingBuilds() {
  const missing = [];
  for (const specifier of ['@chat/core', '@chat/react', '@chat/ui-react', '@chat/ui-react/styles.css']) {
    // ESM-only packages: resolved by their `import` condition, then checked on disk.
    let file = '';
    try {
      file = fileURLToPath(import.meta.resolve(specifier));
    } catch {}
    if (!file || !existsSync(file)) missing.push(specifier);
  }
  return missing;
}

/**
 * Bundles `pages/<name>.jsx` into `dist/<name>/` with an index.html: minified, production React,
 * `@chat/*` from their built `dist/` (package exports), the kit's stylesheet linked. Returns the
 * folder and the size. `minify: false` keeps function names, for profiles.
 */
export async function buildPage(name, { minify = true } = {}) {
  const outdir = join(DIST, minify ? name : `${name}-unminified`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const t0 = performance.now();
  const result = await build({
    entryPoints: { app: join(HERE, 'pages', `${name}.jsx`) },
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir,
    metafile: true,
    logLevel: 'silent',
  });
  const hasCss = Object.keys(result.metafile.outputs).some((f) => f.endsWith('.css'));
  writeFileSync(
    join(outdir, 'index.html'),
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bench: ${name}</title>
${hasCss ? '<link rel="stylesheet" href="./app.css">' : ''}
<style>html, body { margin: 0; height: 100%; } #root { height: 100%; }</style>
<script type="module" src="./app.js"></script>
</head>
<body><div id="root"></div></body>
</html>
`,
  );
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .reduce((sum, [, out]) => sum + out.bytes, 0);
  return { outdir, bytes, ms: performance.now() - t0 };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** Tracks a server's sockets so `close()` ends them all (kept-alive and held ones too). */
function closable(server) {
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

const listen = (server) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });

/** Serves `root` on 127.0.0.1 (no caching, so every load fetches the bundle again). */
export async function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    import('node:fs/promises')
      .then((fs) => fs.readFile(file))
      .then(
        (body) => {
          res.writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
          });
          res.end(body);
        },
        () => res.writeHead(404).end(),
      );
  });
  const url = await listen(server);
  return { url, close: closable(server) };
}

/**
 * A chat server that never answers: HTTP requests and WebSocket upgrades are accepted and held
 * open, as on a network that has not answered yet. Counts what arrived.
 */
export async function serveSilence() {
  const seen = { http: 0, upgrades: 0 };
  const server = createServer(() => {
    seen.http += 1;
  });
  server.on('upgrade', () => {
    seen.upgrades += 1;
  });
  const url = await listen(server);
  return { url, seen, close: closable(server) };
}

/** Main-thread time by kind (cumulative, in ms) from the DevTools protocol's Performance domain. */
export async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(list.map(({ name, value }) => [name, value]));
  return {
    task: m.TaskDuration * 1000,
    script: m.ScriptDuration * 1000,
    layout: m.LayoutDuration * 1000,
    style: m.RecalcStyleDuration * 1000,
    layouts: m.LayoutCount,
    styles: m.RecalcStyleCount,
    heap: m.JSHeapUsedSize,
    nodes: m.Nodes,
  };
}

/** `after - before` of two `metrics()` readings. */
export function spent(before, after) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU time (ms) of a thread of a process, from /proc; `NaN` where /proc is missing. */
function threadCpuMs(pid, tid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time used so far by Chromium's processes, in ms: every renderer's main thread (the thread
 * that runs JS, style, layout and paint), the renderers as a whole, the GPU process (which
 * composites in software here), and all of Chromium's processes. Unlike wall-clock frame times it does not grow when other
 * processes of the machine take the CPU.
 */
export async function chromiumCpu(browserSession) {
  const { processInfo } = await browserSession.send('SystemInfo.getProcessInfo');
  const out = { rendererMain: {}, renderers: 0, gpu: 0, all: 0 };
  for (const p of processInfo) {
    out.all += p.cpuTime * 1000;
    if (p.type === 'renderer') {
      out.renderers += p.cpuTime * 1000;
      out.rendererMain[p.id] = threadCpuMs(p.id, p.id);
    } else if (p.type === 'GPU') out.gpu += p.cpuTime * 1000;
  }
  return out;
}

/** `after - before` of two `chromiumCpu()` readings; `main` is the busiest renderer main thread. */
export function cpuSpent(before, after) {
  const mains = Object.keys(after.rendererMain).map(
    (pid) => after.rendererMain[pid] - (before.rendererMain[pid] ?? 0),
  );
  return {
    main: Math.max(0, ...mains.filter(Number.isFinite)),
    renderers: after.renderers - before.renderers,
    gpu: after.gpu - before.gpu,
    all: after.all - before.all,
  };
}
