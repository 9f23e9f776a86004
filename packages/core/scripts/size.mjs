// Bundles the package entry for browsers the way an app's bundler would (ESM, minified, every
// dependency included) and fails when the gzipped size passes the budget. Also fails when zod
// or the protocol's validators sneak in: core imports only types from @chat/protocol, and values
// from its zod-free `@chat/protocol/constants` entry.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 25 * 1024;
const FORBIDDEN = [/[\\/]zod[\\/]/, /[\\/]protocol[\\/](src|dist)[\\/]index\.js/];

const result = await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).byteLength;
const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
  .map(([path, { bytesInOutput }]) => [path, bytesInOutput])
  .sort((a, b) => b[1] - a[1]);

console.log(
  `@chat/core browser bundle: ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
);
for (const [path, bytes] of inputs.slice(0, 8)) console.log(`  ${String(bytes).padStart(6)} B  ${path}`);

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
