import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Builds the browser test's page into `outDir`: the bundle (React, the UI kit, msw's browser
 * build and the kit), the UI kit's stylesheet, `index.html`, and `mockServiceWorker.js` — the worker
 * script that `npx msw init <dir>` writes, copied from the installed msw so it always matches it.
 */
export async function buildPage(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, 'page.tsx')],
    outdir: outDir,
    entryNames: 'page',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const resolve = createRequire(import.meta.url).resolve;
  copyFileSync(resolve('msw/mockServiceWorker.js'), join(outDir, 'mockServiceWorker.js'));
  copyFileSync(resolve('@chat/ui-react/styles.css'), join(outDir, 'page.css'));
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>@chat/testkit in the browser</title>
    <link rel="stylesheet" href="/page.css" />
    <style>html, body, #root { height: 100%; margin: 0; }</style>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/page.js"></script>
  </body>
</html>
`,
  );
}
