// Minifies the FESM bundle ng-packagr built (what an app's bundler starts from) with every
// dependency external (@angular/*, rxjs, @chat/core: the app pays for those anyway), gzips it,
// and fails above the budget. Run `npm run build` first.
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGET_BYTES = 5 * 1024;
const entry = new URL('../dist/fesm2022/chat-angular.mjs', import.meta.url).pathname;
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`npm run build\` first`);
  process.exit(1);
}

const result = await build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  external: ['@angular/*', 'rxjs', 'rxjs/*', '@chat/core', 'tslib'],
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).byteLength;
console.log(
  `@chat/angular FESM: ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
);
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${gzipped - BUDGET_BYTES} B`);
  process.exit(1);
}
