// What an app ships for a full chat UI: the components, the hooks and the client it creates,
// everything each package exports (so nothing an app could use is tree-shaken away), React left
// out. zod and the protocol's validators must stay out. styles.css is reported on its own.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { checkBudget, NO_VALIDATORS } from '../../../scripts/bundle-budget.mjs';

await checkBudget({
  name: '@chat/ui-react + @chat/react + @chat/core browser bundle (react external)',
  stdin: {
    contents: `export * from './src/index.ts';\nexport * from '@chat/react';\nexport * from '@chat/core';\n`,
    resolveDir: new URL('..', import.meta.url).pathname,
  },
  external: ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/*'],
  budgetBytes: 60 * 1024,
  forbidden: NO_VALIDATORS,
});
const css = await readFile(new URL('../src/styles.css', import.meta.url));
console.log(
  `styles.css: ${css.byteLength} B, ${gzipSync(css, { level: 9 }).byteLength} B gzipped (not in the JS bundle)`,
);
