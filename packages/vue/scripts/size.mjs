// Bundles the package entry the way an app's bundler would (ESM, minified) with vue and
// @chat/core left out, since the app ships those anyway, and fails when the adapter's own
// gzipped size passes the budget: an adapter that grows is taking on logic that belongs in core.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 5 * 1024;

const result = await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  external: ['vue', '@chat/core'],
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).byteLength;

console.log(
  `@chat/vue browser bundle (vue, @chat/core external): ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
);
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${gzipped - BUDGET_BYTES} B`);
  process.exit(1);
}
