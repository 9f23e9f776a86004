// Bundles the package entry for browsers the way an app's bundler would (ESM, minified) with
// React and @chat/core left out (the app has them anyway; core has its own budget), and fails
// when the gzipped size of what this package adds passes the budget.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 5 * 1024;
const EXTERNAL = ['react', 'react/jsx-runtime', 'react-dom', '@chat/core'];

const result = await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  external: EXTERNAL,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).byteLength;
const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
  .map(([path, { bytesInOutput }]) => [path, bytesInOutput])
  .sort((a, b) => b[1] - a[1]);

console.log(
  `@chat/react browser bundle (react, @chat/core external): ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
);
for (const [path, bytes] of inputs) console.log(`  ${String(bytes).padStart(6)} B  ${path}`);

const bundled = inputs.filter(([path]) => path.includes('node_modules'));
if (bundled.length > 0) {
  console.error(`A dependency was bundled instead of left external: ${bundled.map(([p]) => p).join(', ')}`);
  process.exit(1);
}
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${gzipped - BUDGET_BYTES} B`);
  process.exit(1);
}
