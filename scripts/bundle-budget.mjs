// The one bundle-size check every package's `npm run size` uses: bundles an entry for browsers
// the way an app's bundler would (ESM, minified, production), gzips it, prints what is in it by
// package, and exits non-zero above the budget or when a module that must stay out got in.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** zod and the protocol's validators: the browser SDK uses only their types. */
export const NO_VALIDATORS = [/[\\/]zod[\\/]/, /[\\/]protocol[\\/](src|dist)[\\/]index\.js/];

/** Anything from node_modules: a thin adapter must leave its dependencies external. */
export const NO_DEPENDENCIES = [/node_modules/];

/** The package a bundled module comes from: its npm name, or its first folders in this repo. */
function ownerOf(path) {
  const inModules = path.split('node_modules/').at(-1);
  if (inModules === path) return path.split('/').slice(0, 3).join('/');
  return inModules
    .split('/')
    .slice(0, inModules.startsWith('@') ? 2 : 1)
    .join('/');
}

/**
 * @param {object} options
 * @param {string} options.name what is measured, for the report
 * @param {string} [options.entry] the entry file
 * @param {{ contents: string, resolveDir: string }} [options.stdin] or an entry written inline
 * @param {string[]} [options.external] left out (the app ships them anyway)
 * @param {number} options.budgetBytes gzipped
 * @param {RegExp[]} [options.forbidden] module paths that must not be in the bundle
 */
export async function checkBudget({ name, entry, stdin, external = [], budgetBytes, forbidden = [] }) {
  const result = await build({
    ...(entry ? { entryPoints: [entry] } : { stdin: { ...stdin, loader: 'ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    jsx: 'automatic',
    external,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  const gzipped = gzipSync(code, { level: 9 }).byteLength;
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs).map(
    ([path, { bytesInOutput }]) => [path, bytesInOutput],
  );
  const byPackage = new Map();
  for (const [path, bytes] of inputs)
    byPackage.set(ownerOf(path), (byPackage.get(ownerOf(path)) ?? 0) + bytes);

  console.log(`${name}: ${code.byteLength} B minified, ${gzipped} B gzipped (budget ${budgetBytes} B)`);
  for (const [owner, bytes] of [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.SIZE_TOP ?? 8))) {
    console.log(`  ${String(bytes).padStart(7)} B minified  ${owner}`);
  }
  const intruders = inputs.filter(([path]) => forbidden.some((pattern) => pattern.test(path)));
  if (intruders.length > 0) {
    console.error(`These must not be in the bundle: ${intruders.map(([path]) => path).join(', ')}`);
    process.exit(1);
  }
  if (gzipped > budgetBytes) {
    console.error(`Over budget by ${gzipped - budgetBytes} B`);
    process.exit(1);
  }
  return { minified: code.byteLength, gzipped };
}
