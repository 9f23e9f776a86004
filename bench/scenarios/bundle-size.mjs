// Scenario 8 — bundle size: every package bundled the same way in the same run (esbuild: bundle,
// minify, platform browser, format esm, es2022, NODE_ENV=production), from an entry that keeps
// the package's main export alive so tree-shaking cannot drop it; sizes minified and gzipped.
// The UI kits are bundled with react and react-dom external. See README.md.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { writeReport } from '../lib/report.mjs';
import { deadline, log } from '../lib/scenario.mjs';
import { fmt, ratio } from '../lib/stats.mjs';

deadline('bundle-size', 300);
const BENCH = fileURLToPath(new URL('../', import.meta.url));
const ROOT = join(BENCH, '..');
const require = createRequire(join(BENCH, 'package.json'));

function version(pkg) {
  const local = {
    '@chat/core': 'packages/core',
    '@chat/react': 'packages/react',
    '@chat/ui-react': 'packages/ui-react',
  }[pkg];
  const file = join(ROOT, local ?? join('node_modules', pkg), 'package.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return '?';
  }
}

const kb = (bytes) => (Number.isFinite(bytes) ? `${fmt(bytes / 1024, 1)} KB` : '–');

/**
 * Bundles `code` (an entry module) with code splitting, as an app's bundler would, and returns its
 * sizes, or `{ error }`: what a page loads first (the entry and the chunks it imports statically)
 * and what loads on demand (chunks reached only through `import()`, e.g. an emoji picker).
 */
async function measure(code, { external = [] } = {}) {
  try {
    const result = await build({
      stdin: { contents: code, resolveDir: BENCH, loader: 'js' },
      bundle: true,
      splitting: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      outdir: join(BENCH, 'results', 'bundle-tmp'),
      external,
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      loader: {
        '.png': 'file',
        '.svg': 'file',
        '.woff': 'file',
        '.woff2': 'file',
        '.gif': 'file',
        '.mp3': 'file',
      },
      logLevel: 'silent',
      metafile: true,
    });
    const outputs = result.metafile.outputs;
    const relative = (file) =>
      Object.keys(outputs).find((key) => file.endsWith(key.replace(/^.*?results\//, 'results/')));
    const entry = Object.keys(outputs).find((key) => outputs[key].entryPoint);
    const first = new Set();
    const visit = (key) => {
      if (!key || first.has(key)) return;
      first.add(key);
      for (const dep of outputs[key].imports)
        if (dep.kind === 'import-statement' && !dep.external) visit(dep.path);
    };
    visit(entry);
    let bytes = 0;
    let gz = 0;
    let lazyGz = 0;
    for (const file of result.outputFiles.filter((f) => f.path.endsWith('.js'))) {
      const size = gzipSync(file.contents, { level: 9 }).byteLength;
      if (first.has(relative(file.path))) {
        bytes += file.contents.byteLength;
        gz += size;
      } else lazyGz += size;
    }
    const cssFiles = result.outputFiles.filter((f) => f.path.endsWith('.css'));
    const cssGz = cssFiles.reduce((a, f) => a + gzipSync(f.contents, { level: 9 }).byteLength, 0);
    return {
      bytes,
      gz,
      lazyGz,
      cssGz: cssFiles.length ? cssGz : undefined,
      warnings: result.warnings.length,
    };
  } catch (error) {
    return { error: (error?.errors?.[0]?.text ?? error?.message ?? String(error)).split('\n')[0] };
  }
}

/** A stylesheet a kit asks apps to import, minified and gzipped. */
async function stylesheet(specifier) {
  if (!specifier) return undefined;
  try {
    const result = await build({
      entryPoints: [require.resolve(specifier)],
      bundle: true,
      minify: true,
      write: false,
      outdir: join(BENCH, 'results', 'bundle-tmp'),
      loader: { '.png': 'dataurl', '.svg': 'dataurl', '.woff': 'file', '.woff2': 'file', '.gif': 'dataurl' },
      logLevel: 'silent',
    });
    const css = result.outputFiles.filter((f) => f.path.endsWith('.css'));
    return css.reduce((a, f) => a + gzipSync(f.contents, { level: 9 }).byteLength, 0);
  } catch {
    return undefined;
  }
}

const keep = (names) => `globalThis.__bench = [${names.join(', ')}];`;

const clients = [
  {
    name: '@chat/core',
    what: 'ChatClient',
    code: `import { ChatClient } from '@chat/core';\n${keep(['ChatClient'])}`,
    ours: true,
  },
  {
    name: 'stream-chat',
    what: 'StreamChat',
    code: `import { StreamChat } from 'stream-chat';\n${keep(['StreamChat'])}`,
  },
  {
    name: '@sendbird/chat',
    what: 'SendbirdChat',
    code: `import SendbirdChat from '@sendbird/chat';\n${keep(['SendbirdChat'])}`,
  },
  {
    name: '@sendbird/chat',
    what: 'SendbirdChat + GroupChannelModule (what its docs set up for group channels)',
    code: `import SendbirdChat from '@sendbird/chat';\nimport { GroupChannelModule } from '@sendbird/chat/groupChannel';\n${keep(['SendbirdChat', 'GroupChannelModule'])}`,
  },
  {
    name: 'matrix-js-sdk',
    what: 'MatrixClient',
    code: `import { MatrixClient } from 'matrix-js-sdk';\n${keep(['MatrixClient'])}`,
  },
];

const REACT = ['react', 'react-dom', 'react/*', 'react-dom/*'];
const SCREEN = [
  'Chat',
  'ChatProvider',
  'Channel',
  'ChannelList',
  'ChannelHeader',
  'MessageList',
  'MessageInput',
  'MessageComposer',
  'Thread',
  'Window',
];
const uiDist = join(ROOT, 'packages', 'ui-react', 'dist', 'index.js');
const ui = [];
let uiNote = null;
if (existsSync(uiDist)) {
  const exportsOf = Object.keys(
    await import(join(ROOT, 'packages', 'ui-react', 'dist', 'index.js')).catch(() => ({})),
  );
  const screen = SCREEN.filter((n) => exportsOf.includes(n));
  ui.push({
    name: '@chat/ui-react + @chat/react + @chat/core',
    what: 'every export',
    code: `import * as ui from '@chat/ui-react';\nimport * as hooks from '@chat/react';\nimport { ChatClient } from '@chat/core';\n${keep(['ui', 'hooks', 'ChatClient'])}`,
    css: '@chat/ui-react/styles.css',
    ours: true,
  });
  if (screen.length) {
    ui.push({
      name: '@chat/ui-react + @chat/core',
      what: `a chat screen: ${screen.join(', ')}, ChatClient`,
      code: `import { ${screen.join(', ')} } from '@chat/ui-react';\nimport { ChatClient } from '@chat/core';\n${keep([...screen, 'ChatClient'])}`,
      ours: true,
      screen: true,
    });
  }
} else {
  uiNote =
    '@chat/ui-react is not built yet (packages/ui-react/dist is missing): its rows are skipped. Build it (`npx turbo run build --filter=@chat/ui-react`) and run this scenario again.';
}
ui.push(
  {
    name: 'stream-chat-react',
    what: 'every export',
    code: `import * as ui from 'stream-chat-react';\n${keep(['ui'])}`,
    css: 'stream-chat-react/dist/css/index.css',
  },
  {
    name: 'stream-chat-react',
    what: 'a chat screen: Chat, Channel, ChannelList, ChannelHeader, MessageList, MessageComposer, Thread, Window, StreamChat',
    code: `import { Chat, Channel, ChannelList, ChannelHeader, MessageList, MessageComposer, Thread, Window } from 'stream-chat-react';\nimport { StreamChat } from 'stream-chat';\n${keep(['Chat', 'Channel', 'ChannelList', 'ChannelHeader', 'MessageList', 'MessageComposer', 'Thread', 'Window', 'StreamChat'])}`,
    screen: true,
  },
  {
    name: '@sendbird/uikit-react',
    what: 'every export',
    code: `import * as ui from '@sendbird/uikit-react';\n${keep(['ui'])}`,
    css: '@sendbird/uikit-react/dist/index.css',
  },
  {
    name: '@sendbird/uikit-react',
    what: 'a chat screen: App (its drop-in chat app)',
    code: `import App from '@sendbird/uikit-react/App';\n${keep(['App'])}`,
    screen: true,
  },
);

const measured = [];
for (const entry of clients) {
  log(`bundle-size: ${entry.name} (${entry.what})`);
  measured.push({ ...entry, group: 'client', ...(await measure(entry.code)) });
}
for (const entry of ui) {
  log(`bundle-size: ${entry.name} (${entry.what})`);
  const size = await measure(entry.code, { external: REACT });
  measured.push({ ...entry, group: 'ui', ...size, cssFile: await stylesheet(entry.css) });
}

const core = measured.find((m) => m.group === 'client' && m.ours && !m.error);
const oursUi = measured.find((m) => m.group === 'ui' && m.ours && !m.screen && !m.error);
const oursScreen = measured.find((m) => m.group === 'ui' && m.ours && m.screen && !m.error);
const rowsOf = (group, base, baseScreen) =>
  measured
    .filter((m) => m.group === group)
    .map((m) => {
      const against = m.screen ? (baseScreen ?? base) : base;
      return m.error
        ? [`${m.name} ${version(m.name)}`, m.what, `failed: ${m.error.slice(0, 160)}`, '–', '–', '–', '–']
        : [
            `${m.name}${m.name.includes('+') ? '' : ` ${version(m.name)}`}`,
            m.what,
            kb(m.bytes),
            kb(m.gz),
            m.lazyGz ? kb(m.lazyGz) : '–',
            against ? ratio(m.gz, against.gz) : '–',
            group === 'ui' ? kb(m.cssFile ?? m.cssGz) : undefined,
          ].filter((cell) => cell !== undefined);
    });

const tables = [
  {
    title: 'Client SDKs',
    columns: ['Package', 'Imported', 'Minified', 'Gzipped', 'On demand, gzipped', '× @chat/core'],
    rows: rowsOf('client', core),
  },
  {
    title: 'React UI kits (react and react-dom external; CSS not in the JS figures)',
    columns: [
      'Packages',
      'Imported',
      'Minified JS, first load',
      'Gzipped JS, first load',
      'On demand, gzipped',
      '× ours',
      'Stylesheet gzipped',
    ],
    rows: rowsOf('ui', oursUi, oursScreen),
    note: uiNote ?? undefined,
  },
];

const summary = [];
if (core) {
  for (const peer of measured.filter((m) => m.group === 'client' && !m.ours && !m.error)) {
    summary.push({
      figure: `Client bundle, gzipped (${peer.name}: ${peer.what.split(' (')[0]})`,
      ours: kb(core.gz),
      peer: peer.name,
      peerValue: kb(peer.gz),
      ratio: ratio(core.gz, peer.gz),
      target: core === measured[0] && peer === measured[1] ? '≤ 25 KB (ours)' : undefined,
      met: core === measured[0] && peer === measured[1] ? core.gz <= 25 * 1024 : undefined,
    });
  }
}
if (oursUi) {
  for (const peer of measured.filter((m) => m.group === 'ui' && !m.ours && !m.screen && !m.error)) {
    summary.push({
      figure: `UI kit bundle, every export, gzipped, first load (${peer.name})`,
      ours: kb(oursUi.gz),
      peer: peer.name,
      peerValue: kb(peer.gz),
      ratio: ratio(oursUi.gz, peer.gz),
      target: '≤ 60 KB (ours)',
      met: oursUi.gz <= 60 * 1024,
    });
  }
} else {
  summary.push({ figure: 'UI kit bundle', ours: 'pending (@chat/ui-react not built)' });
}

writeReport({
  scenario: 'bundle-size',
  title: 'Bundle size (browser ESM, minified + gzipped)',
  notes: [
    'esbuild, one entry per row that imports the named export(s) and keeps them alive (`globalThis.__bench = [...]`), bundle + minify, platform browser, format esm, target es2022, `process.env.NODE_ENV = "production"`; gzip level 9. Assets (images, fonts) imported by a package are left as files and not counted.',
    'Ours are the built packages (dist), as an app would install them.',
    'Split as an app bundler splits (`splitting: true`): "first load" is the entry chunk and the chunks it imports statically; "on demand" is what only `import()` reaches (our emoji picker and markdown renderer; the same rule for every package). The budgets apply to the first load.',
  ],
  tables,
  summary,
});
