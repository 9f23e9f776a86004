// What an app ships for a full chat UI: the components, the hooks and the client it creates,
// everything each package exports (so nothing an app could use is tree-shaken away), React left
// out. zod and the protocol's validators must stay out. styles.css is reported on its own.
//
// Parts loaded on demand (the markdown renderer, the emoji picker, the notification settings, the
// search and channel-browser panels, the image viewer and its placeholder decoder, the safety and
// moderation dialogs, the slow-mode countdown, the pinned messages and the review queue) are dynamic imports: an app's
// bundler puts them in chunks of their own, fetched the first time they are needed. The budget is
// for the first load, so they are left out of it and measured one by one below; a split build
// checks that nothing imports them statically (which would put them back in the first load).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { checkBudget, NO_VALIDATORS } from '../../../scripts/bundle-budget.mjs';

const root = new URL('..', import.meta.url);
const REACT = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/*'];
/** Entry modules of the on-demand chunks, each with its budget (gzipped). */
const LAZY = [
  { name: 'markdown renderer', file: 'src/components/rich-text/markdown.tsx', budgetBytes: 24 * 1024 },
  { name: 'emoji picker', file: 'src/components/emoji-picker/emoji-picker.tsx', budgetBytes: 120 * 1024 },
  {
    name: 'notification settings',
    file: 'src/components/notification-settings-body.tsx',
    budgetBytes: 8 * 1024,
  },
  { name: 'message search', file: 'src/components/search-panel-body.tsx', budgetBytes: 3 * 1024 },
  { name: 'channel browser', file: 'src/components/browse-channels-body.tsx', budgetBytes: 3 * 1024 },
  {
    name: 'files being attached and sent',
    file: 'src/components/local-files/local-files.tsx',
    budgetBytes: 3 * 1024,
  },
  { name: 'image viewer', file: 'src/components/attachments/lightbox.tsx', budgetBytes: 3 * 1024 },
  // Safety and moderation (with @chat/core/moderation, shared between them).
  {
    name: 'report, block and moderator dialogs',
    file: 'src/components/moderation/message-moderation.tsx',
    budgetBytes: 6 * 1024,
  },
  {
    name: 'slow-mode countdown',
    file: 'src/components/moderation/slow-mode-notice.tsx',
    budgetBytes: 3 * 1024,
  },
  {
    name: 'pinned messages',
    file: 'src/components/moderation/pinned-messages-body.tsx',
    budgetBytes: 4 * 1024,
  },
  { name: 'review queue', file: 'src/components/moderation/review-queue-body.tsx', budgetBytes: 5 * 1024 },
  { name: 'blocked users', file: 'src/components/moderation/blocked-users-body.tsx', budgetBytes: 4 * 1024 },
  {
    name: 'image placeholder decoder',
    file: 'src/components/attachments/placeholder-decoder.ts',
    budgetBytes: 3 * 1024,
  },
];
const lazyPaths = LAZY.map(({ file }) => fileURLToPath(new URL(file, root)));
/** @chat/core's own on-demand chunks (uploads, Web Push, accounts), as its build names them. */
const CORE_LAZY = [
  './upload-all-*',
  './upload-file-*',
  './web-push-*',
  './auth-session-*',
  './queued-uploads-*',
  './upload-parts-*',
];
const entry = `export * from './src/index.ts';\nexport * from '@chat/react';\nexport * from '@chat/core';\n`;

const first = await checkBudget({
  name: '@chat/ui-react + @chat/react + @chat/core browser bundle, first load (react external)',
  stdin: { contents: entry, resolveDir: fileURLToPath(root) },
  external: [...REACT, ...lazyPaths, ...CORE_LAZY],
  // 60 KB until moderation, which every room of a public chat needs on first paint: system
  // messages, "Removed by a moderator", hiding blocked authors, role-gated menus (the rest of it
  // loads on demand).
  budgetBytes: 61 * 1024,
  forbidden: NO_VALIDATORS,
});

// The split build an app's bundler would make: which outputs the entry loads at once, which
// only through import().
const split = await build({
  stdin: { contents: entry, resolveDir: fileURLToPath(root), loader: 'ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  outdir: fileURLToPath(new URL('dist-size/', root)),
  jsx: 'automatic',
  external: REACT,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const outputs = split.metafile.outputs;
// Dynamic imports are entry points too: the app's entry is the one built from stdin.
const entryOutput = Object.keys(outputs).find((path) => outputs[path].entryPoint === '<stdin>');
const eager = new Set();
const visit = (path) => {
  if (eager.has(path)) return;
  eager.add(path);
  for (const { path: next, kind } of outputs[path].imports) {
    if (kind === 'import-statement' && outputs[next]) visit(next);
  }
};
visit(entryOutput);
const ownerOf = (input) => fileURLToPath(new URL(input, root));
let failed = false;
for (const lazy of LAZY) {
  const path = fileURLToPath(new URL(lazy.file, root));
  const eagerHit = [...eager].some((out) =>
    Object.keys(outputs[out].inputs).some((input) => ownerOf(input) === path),
  );
  if (eagerHit) {
    console.error(`${lazy.file} is imported statically: it would be in the first load`);
    failed = true;
    continue;
  }
  const chunk = Object.keys(outputs).find(
    (out) => !eager.has(out) && Object.keys(outputs[out].inputs).some((input) => ownerOf(input) === path),
  );
  // The chunk and what it loads, at once or itself on demand (the emoji data), that the first
  // load does not already hold.
  const parts = new Set();
  const collect = (out) => {
    if (parts.has(out) || eager.has(out)) return;
    parts.add(out);
    for (const { path: next } of outputs[out].imports) if (outputs[next]) collect(next);
  };
  collect(chunk);
  let minified = 0;
  let gzipped = 0;
  for (const out of parts) {
    const file = split.outputFiles.find((f) => f.path.endsWith(out.replace(/^.*\//, '/')));
    minified += file.contents.byteLength;
    gzipped += gzipSync(file.contents, { level: 9 }).byteLength;
  }
  console.log(
    `  on demand: ${lazy.name}: ${minified} B minified, ${gzipped} B gzipped in ${parts.size} chunk(s) (budget ${lazy.budgetBytes} B)`,
  );
  if (gzipped > lazy.budgetBytes) {
    console.error(`  ${lazy.name} is over its budget by ${gzipped - lazy.budgetBytes} B`);
    failed = true;
  }
}
console.log(`first load: ${first.gzipped} B gzipped`);
if (failed) process.exit(1);

const css = await readFile(new URL('../src/styles.css', import.meta.url));
console.log(
  `styles.css: ${css.byteLength} B, ${gzipSync(css, { level: 9 }).byteLength} B gzipped (not in the JS bundle)`,
);
