// Bundles the package for browsers the way an app's bundler would (ESM, minified) together with
// everything it brings along (@chat/react, @chat/core, @tanstack/react-virtual), React left out
// (the app has it anyway), and fails when the gzipped size passes the budget. Also fails when
// zod or the protocol's validators sneak in through core.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 60 * 1024;
const FORBIDDEN = [/[\\/]zod[\\/]/, /[\\/]protocol[\\/](src|dist)[\\/]index\.js/];

// What an app imports: the components, the hooks, and the client it creates (`new ChatClient`).
// Everything each package exports, so nothing is tree-shaken away that an app could use.
const entry = `
export * from './src/index.ts';
export * from '@chat/react';
export * from '@chat/core';
`;

const result = await build({
  stdin: { contents: entry, resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  jsx: 'automatic',
  external: ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/*'],
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).byteLength;
const css = await readFile(new URL('../src/styles.css', import.meta.url));
const cssGzipped = gzipSync(css, { level: 9 }).byteLength;
const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
  .map(([path, { bytesInOutput }]) => [path, bytesInOutput])
  .sort((a, b) => b[1] - a[1]);
const byPackage = new Map();
for (const [path, bytes] of inputs) {
  const name = path.includes('node_modules/')
    ? path.split('node_modules/').at(-1).split('/').slice(0, 2).join('/')
    : path.startsWith('../')
      ? `@chat/${path.split('/')[1]}`
      : `@chat/ui-react (${path.split('/').slice(0, 2).join('/')})`;
  byPackage.set(name, (byPackage.get(name) ?? 0) + bytes);
}

console.log(
  `@chat/ui-react + @chat/react + @chat/core browser bundle (react external): ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
);
console.log(`styles.css: ${css.byteLength} B, ${cssGzipped} B gzipped (not in the JS bundle)`);
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${String(bytes).padStart(7)} B minified  ${name}`);
}

const forbidden = inputs.filter(([path]) => FORBIDDEN.some((pattern) => pattern.test(path)));
if (forbidden.length > 0) {
  console.error(
    `Runtime code of zod/@chat/protocol is in the bundle: ${forbidden.map(([p]) => p).join(', ')}`,
  );
  process.exit(1);
}
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${gzipped - BUDGET_BYTES} B`);
  process.exit(1);
}
